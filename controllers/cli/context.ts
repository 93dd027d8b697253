import type Docker from 'dockerode';
import type { Command } from 'commander';
import { dockerFromEnv } from '../docker/connection.js';
import { DockerSwarmAdapter } from '../docker/swarm-adapter.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { loadSecretHashKey, startHashKeyRead } from '../docker/secret-hash-key.js';
import { parseDurationMs } from '../../reconciler/units/duration.js';

export interface GlobalOptions {
  instanceId: string;
  /** Unset: `error` for one-shot commands (their errors are printed as lines), `info` for run. */
  logLevel?: string;
  /** The key of secret names (controllers/docker/secret-hash-key.ts). */
  secretHashKeyFile?: string;
}

export interface CliContext {
  docker: Docker;
  swarm: DockerSwarmAdapter;
  logger: Logger;
  instanceId: string;
}

export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

/** Connects to Docker from DOCKER_HOST / TLS env / Docker context. */
export function openContext(cmd: Command, opts: { concurrency?: number } = {}): CliContext {
  const g = globalOptions(cmd);
  const logger = createLogger({ level: g.logLevel ?? 'error' });
  const { docker } = dockerFromEnv(process.env);
  const swarm = new DockerSwarmAdapter(docker, { concurrency: opts.concurrency ?? 8 });
  return { docker, swarm, logger, instanceId: g.instanceId };
}

/**
 * The instance's key of secret names: `create` (apply) makes the Swarm config when it is missing;
 * plan and status only read it (a throw-away key otherwise: their secret names are provisional).
 */
export async function cliSecretHashKey(
  cmd: Command,
  ctx: CliContext,
  create: boolean,
  read?: Promise<Buffer | undefined>,
): Promise<Buffer> {
  const g = globalOptions(cmd);
  const k = await loadSecretHashKey({
    docker: ctx.docker,
    instanceId: ctx.instanceId,
    create,
    ...(g.secretHashKeyFile ? { file: g.secretHashKeyFile } : {}),
    ...(read ? { read } : {}),
  });
  ctx.logger.debug({ source: k.source }, 'secret hash key');
  return k.key;
}

export function parseRateLimit(text: string): { max: number; durationMs: number } {
  const m = /^(\d+)\/(.+)$/.exec(text);
  if (!m) throw new Error(`--rate-limit ${text}: expected N/DURATION, e.g. 50/1s`);
  return { max: Number(m[1]), durationMs: parseDurationMs(m[2]!) };
}

/**
 * Opens the context and starts reading the key config before the source is parsed (`parse`), so the
 * round trip overlaps the parse: one turn of the event loop first lets the request connect and be
 * written (the parse is synchronous). A context that cannot open (a bad DOCKER_HOST) throws after
 * the parse, as it did when it was opened after it.
 */
export async function openContextWhile<T>(
  cmd: Command,
  opts: { concurrency?: number },
  parse: () => T,
): Promise<{ ctx: CliContext; parsed: T; hashKeyRead: Promise<Buffer | undefined> | undefined }> {
  let ctx: CliContext | undefined;
  let failure: unknown;
  let hashKeyRead: Promise<Buffer | undefined> | undefined;
  try {
    ctx = openContext(cmd, opts);
    hashKeyRead = startHashKeyRead(ctx.docker, ctx.instanceId, globalOptions(cmd).secretHashKeyFile);
  } catch (e) {
    failure = e;
  }
  if (hashKeyRead) await new Promise((next) => setImmediate(next));
  const parsed = parse();
  if (!ctx) throw failure;
  return { ctx, parsed, hashKeyRead };
}
