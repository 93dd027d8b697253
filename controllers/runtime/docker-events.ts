import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { backoffDelay, jitter } from '../../reconciler/units/backoff.js';
import type { SwarmEvent } from '../ports.js';

export interface EventsWatcherOptions {
  types?: string[];
  logger?: Logger;
  backoff?: { baseMs: number; maxMs: number };
  onEvent: (e: SwarmEvent) => void;
  /** Called after every (re)connection: events may have been missed, so resync everything. */
  onConnected?: (reconnect: boolean) => void;
}

export const WATCHED_TYPES = ['service', 'network', 'volume', 'config', 'secret', 'node', 'plugin'];

/** Splits a stream of concatenated JSON objects (one per line) into parsed events. */
export function parseEventChunk(buffer: string): { events: SwarmEvent[]; rest: string } {
  const events: SwarmEvent[] = [];
  const lines = buffer.split('\n');
  const rest = lines.pop() ?? '';
  for (const line of lines) {
    if (!line.trim()) continue;
    try {
      const raw = JSON.parse(line) as {
        Type?: string;
        Action?: string;
        Actor?: { ID?: string; Attributes?: Record<string, string> };
        time?: number;
      };
      const attributes = raw.Actor?.Attributes ?? {};
      events.push({
        type: raw.Type ?? '',
        action: raw.Action ?? '',
        id: raw.Actor?.ID ?? '',
        attributes,
        ...(attributes['name'] ? { name: attributes['name'] } : {}),
        ...(raw.time ? { time: raw.time } : {}),
      });
    } catch {
      // not an event line; ignore
    }
  }
  return { events, rest };
}

/**
 * Follows the Docker events stream, reconnecting with exponential backoff. After each
 * reconnect it calls onConnected(true) so the controller resyncs (events were missed).
 */
export class DockerEventsWatcher {
  #stream: NodeJS.ReadableStream | undefined;
  #stopped = true;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #connectedOnce = false;

  constructor(
    private readonly docker: Docker,
    private readonly opts: EventsWatcherOptions,
  ) {}

  get connected(): boolean {
    return this.#stream !== undefined;
  }

  start(): void {
    this.#stopped = false;
    void this.#connect();
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    try {
      const stream = (await this.docker.getEvents({
        filters: JSON.stringify({ type: this.opts.types ?? WATCHED_TYPES }),
      } as never)) as unknown as NodeJS.ReadableStream;
      if (this.#stopped) {
        (stream as unknown as { destroy?: () => void }).destroy?.();
        return;
      }
      this.#stream = stream;
      this.#failures = 0;
      const reconnect = this.#connectedOnce;
      this.#connectedOnce = true;
      this.opts.logger?.info({ reconnect }, 'docker events stream connected');
      this.opts.onConnected?.(reconnect);
      let buf = '';
      stream.on('data', (chunk: Buffer) => {
        const { events, rest } = parseEventChunk(buf + chunk.toString('utf8'));
        buf = rest;
        for (const e of events) this.opts.onEvent(e);
      });
      const onDown = (why: string) => {
        if (this.#stream !== stream) return;
        this.#stream = undefined;
        this.opts.logger?.warn({ why }, 'docker events stream lost');
        this.#schedule();
      };
      stream.on('end', () => onDown('end'));
      stream.on('close', () => onDown('close'));
      stream.on('error', (e: Error) => onDown(e.message));
    } catch (e) {
      this.opts.logger?.warn({ err: e }, 'docker events connect failed');
      this.#schedule();
    }
  }

  #schedule(): void {
    if (this.#stopped) return;
    const { baseMs, maxMs } = this.opts.backoff ?? { baseMs: 200, maxMs: 30_000 };
    const delay = jitter(backoffDelay(this.#failures + 1, { baseMs, maxMs }), 0.2);
    this.#failures += 1;
    this.#timer = setTimeout(() => void this.#connect(), delay);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    const s = this.#stream as unknown as { destroy?: () => void } | undefined;
    this.#stream = undefined;
    s?.destroy?.();
  }
}
