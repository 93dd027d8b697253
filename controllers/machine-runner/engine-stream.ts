/**
 * Engine API calls whose answer is a JSON progress stream (plugin pull/upgrade). Errors arrive IN the
 * stream with HTTP 200 (e.g. `{"error":"incorrect privileges"}`): the stream is read to the end and
 * the call fails on the first `error` field.
 */
import type Docker from 'dockerode';
import type { Readable } from 'node:stream';

interface ModemLike {
  dial(options: Record<string, unknown>, cb: (err: unknown, data: unknown) => void): void;
}

export interface StreamRequest {
  path: string;
  query: Record<string, string>;
  body: unknown;
  signal?: AbortSignal;
}

export interface ProgressResult {
  /** The `error` of the first message that had one. */
  error?: string;
  /** Number of progress messages. */
  messages: number;
}

/** Parses newline-delimited JSON progress messages. */
export function parseProgress(text: string): ProgressResult {
  let messages = 0;
  let error: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    messages += 1;
    let msg: { error?: unknown; errorDetail?: { message?: unknown } };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      continue;
    }
    const e = typeof msg.error === 'string' ? msg.error : msg.errorDetail?.message;
    if (error === undefined && typeof e === 'string' && e !== '') error = e;
  }
  return error === undefined ? { messages } : { error, messages };
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** POSTs and reads the progress stream to the end. HTTP errors reject like dockerode's. */
export async function postProgress(docker: Docker, req: StreamRequest): Promise<ProgressResult> {
  const options: Record<string, unknown> = {
    path: `${req.path}?`,
    method: 'POST',
    isStream: true,
    statusCodes: { 200: true, 204: true },
    options: { _query: req.query, _body: req.body },
  };
  if (req.signal) options.abortSignal = req.signal;
  const modem = docker.modem as unknown as ModemLike;
  const stream = await new Promise<Readable>((resolve, reject) => {
    modem.dial(options, (err, data) => (err ? reject(err) : resolve(data as Readable)));
  });
  return parseProgress(await readAll(stream));
}
