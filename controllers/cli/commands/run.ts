import type { Command } from 'commander';
import { Redis } from 'ioredis';
import { dockerFromEnv } from '../../docker/connection.js';
import { DockerSwarmAdapter } from '../../docker/swarm-adapter.js';
import { createHttpServer } from '../../observability/http-server.js';
import { createLogger } from '../../observability/logger.js';
import { createMetrics } from '../../observability/metrics.js';
import { Controller } from '../../runtime/controller.js';
import { DirSource } from '../../sources/dir-source.js';
import type { Source } from '../../sources/source.js';
import { globalOptions, parseDurationMs } from '../context.js';
import type { ExitBox } from '../main.js';

interface RunOpts {
  source: string[];
  redisUrl: string;
  concurrency: string;
  resync: string;
  listen: string;
  backoffBase: string;
  backoffMax: string;
  rateLimit?: string;
  allowEmpty?: boolean;
  maxPruneFraction: string;
  shutdownTimeout: string;
  leaseTtl: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `dir=PATH` -> a Source. Git and Kubernetes sources plug in here. */
export function parseSource(spec: string, logger: ReturnType<typeof createLogger>): Source {
  const eq = spec.indexOf('=');
  const type = eq < 0 ? '' : spec.slice(0, eq);
  const value = eq < 0 ? '' : spec.slice(eq + 1);
  if (type === 'dir' && value) return new DirSource(value, { logger });
  throw new Error(`--source ${spec}: expected dir=PATH`);
}

function parseRateLimit(text: string): { max: number; durationMs: number } {
  const m = /^(\d+)\/(.+)$/.exec(text);
  if (!m) throw new Error(`--rate-limit ${text}: expected N/DURATION, e.g. 50/1s`);
  return { max: Number(m[1]), durationMs: parseDurationMs(m[2]!) };
}

export function registerRun(program: Command, exit: ExitBox): void {
  program
    .command('run')
    .description('Run the controller: watch sources and the Swarm, reconcile continuously, correct drift.')
    .option('--source <type=value>', 'a source of desired state, repeatable: dir=PATH', collect, [])
    .option(
      '--redis-url <url>',
      'Redis for the work queue, leases and status',
      process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    )
    .option('--concurrency <n>', 'reconciles at once in this process', '4')
    .option('--resync <duration>', 'periodic resync of every resource', '10m')
    .option('--listen <host:port>', 'HTTP address for /metrics, /healthz and /readyz', '127.0.0.1:9464')
    .option('--backoff-base <duration>', 'first retry delay after an error', '5ms')
    .option('--backoff-max <duration>', 'longest retry delay', '1000s')
    .option('--rate-limit <n/duration>', 'global limit on reconciles started, e.g. 50/1s')
    .option('--allow-empty', 'let a source that suddenly yields nothing prune everything it had')
    .option('--max-prune-fraction <f>', 'refuse to prune when a source drops more than this fraction', '0.5')
    .option('--lease-ttl <duration>', 'leader lease for the Docker events watcher', '15s')
    .option('--shutdown-timeout <duration>', 'on SIGTERM, how long active reconciles may finish', '30s')
    .action(async (opts: RunOpts, cmd: Command) => {
      const g = globalOptions(cmd);
      const logger = createLogger({ level: g.logLevel === 'warn' ? 'info' : g.logLevel });
      if (opts.source.length === 0)
        throw new Error('run needs at least one --source (e.g. --source dir=./stacks)');
      const metrics = createMetrics();
      const { docker } = dockerFromEnv(process.env);
      const swarm = new DockerSwarmAdapter(docker, {
        onApiCall: (method) => metrics.dockerApiCalls.inc({ method }),
      });
      const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
      redis.on('error', (e) => logger.warn({ err: e.message }, 'redis connection error'));
      const controller = new Controller({
        docker,
        swarm,
        redis,
        instanceId: g.instanceId,
        sources: opts.source.map((s) => parseSource(s, logger)),
        logger,
        metrics,
        concurrency: Number(opts.concurrency),
        resyncIntervalMs: parseDurationMs(opts.resync),
        backoff: { baseMs: parseDurationMs(opts.backoffBase), maxMs: parseDurationMs(opts.backoffMax) },
        ...(opts.rateLimit ? { rateLimit: parseRateLimit(opts.rateLimit) } : {}),
        ...(opts.allowEmpty ? { allowEmpty: true } : {}),
        maxPruneFraction: Number(opts.maxPruneFraction),
        leaseTtlMs: parseDurationMs(opts.leaseTtl),
      });
      const server = createHttpServer(metrics, {
        healthy: () => true,
        ready: async () => {
          const checks = {
            redis: await redis.ping().then(
              () => true,
              () => false,
            ),
            docker: await docker.ping().then(
              () => true,
              () => false,
            ),
            sources: controller.sourcesReady,
          };
          return { ok: Object.values(checks).every(Boolean), checks };
        },
      });
      metrics.setQueueDepthSource(async () => ({ ...(await controller.queue.depth()) }));
      const [host, port] = opts.listen.split(':');
      await server.listen({ host: host || '127.0.0.1', port: Number(port) });
      logger.info(
        { listen: opts.listen, sources: opts.source, instanceId: g.instanceId },
        'swarmkeeper controller starting',
      );
      await controller.start();
      logger.info('controller running');
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: string) => {
          if (stopping) {
            logger.warn({ signal }, 'second signal: exiting now');
            process.exit(130);
          }
          stopping = true;
          logger.info({ signal }, 'shutting down: finishing active reconciles');
          void (async () => {
            await controller.stop(parseDurationMs(opts.shutdownTimeout));
            await server.close();
            await redis.quit().catch(() => undefined);
            logger.info('stopped');
            resolve();
          })();
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
      exit.code = 0;
    });
}
