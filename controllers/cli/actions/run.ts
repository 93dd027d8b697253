import type { Command } from 'commander';
import type Docker from 'dockerode';
import type { RegistryConfigInfo } from '../../docker/registry-tags.js';
import type { RegistryTags } from '../../ports.js';
import { dockerFromEnv } from '../../docker/connection.js';
import { DockerSwarmAdapter } from '../../docker/swarm-adapter.js';
import { createLogger } from '../../observability/logger.js';
import { parseDurationMs } from '../../../reconciler/units/duration.js';
import { globalOptions, parseRateLimit } from '../context.js';
import type { ExitBox } from '../exit-box.js';

export interface RunOpts {
  source: string[];
  /** Absent: $REDIS_URL, else redis://127.0.0.1:6379. */
  redisUrl?: string;
  concurrency: string;
  resync: string;
  /** False with --no-idle-gc: no full GC after a burst of work (idle-gc.ts). */
  idleGc?: boolean;
  imageUpdateInterval: string;
  listen: string;
  backoffBase: string;
  backoffMax: string;
  rateLimit?: string;
  allowEmpty?: boolean;
  maxPruneFraction: string;
  shutdownTimeout: string;
  leaseTtl: string;
  workDir?: string;
  webhookSecretFile?: string;
  kube?: boolean;
  kubeconfig?: string;
  namespace?: string;
  leaseName?: string;
  leaseNamespace?: string;
  leaseDuration: string;
  secretsDir?: string;
  nodeEndpoint: string[];
  allowEnv: string[];
  limits?: string;
  policy?: string;
}

/** After --shutdown-timeout, how long the rest of the shutdown may take before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 5000;
/** How often the idle GC looks at the event loop's utilization. */
const IDLE_GC_CHECK_MS = 5000;

export async function run(opts: RunOpts, cmd: Command, exit: ExitBox): Promise<void> {
  const g = globalOptions(cmd);
  const leaseFlags = ['leaseName', 'leaseNamespace', 'leaseDuration'].filter(
    (k) => cmd.getOptionValueSource(k) === 'cli',
  );
  if (!opts.kube && leaseFlags.length > 0)
    throw new Error(
      '--lease-name, --lease-namespace and --lease-duration elect a --kube replica: add --kube',
    );
  const logger = createLogger({ level: g.logLevel ?? 'info' });
  // Parsed first: a bad --redis-url fails before anything starts (its message holds no part of the URL).
  const redisTarget = (await import('../../redis/redis-url.js')).parseRedisUrl(
    opts.redisUrl ?? process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  );
  if (opts.source.length === 0 && !opts.kube)
    throw new Error('run needs at least one --source (e.g. --source dir=./stacks) or --kube');
  // Loaded here, not at the top: every other command (apply, plan, ...) starts without them.
  const [{ createRedis }, { createHttpServer }, { createMetrics }, { buildManager }] = await Promise.all([
    import('../../redis/redis-client.js'),
    import('../../observability/http-server.js'),
    import('../../observability/metrics.js'),
    import('../../runtime/build-manager.js'),
  ]);
  const { createSources, parseSourceSpecs } = await import('../../sources/source-spec.js');
  const { controllerStackSettings } = await import('../../stack/stack-settings.js');
  const { KUBE_SOURCE_NAME } = await import('../../kube/cr-resource.js');
  const stack = controllerStackSettings({
    allowEnv: opts.allowEnv,
    sources: parseSourceSpecs(opts.source),
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.policy ? { policy: opts.policy } : {}),
    ...(opts.kube ? { kubeSourceName: KUBE_SOURCE_NAME } : {}),
  });
  const { loadWebhookSecret } = await import('../../observability/webhook.js');
  const { readiness } = await import('../../observability/readiness.js');
  const { redisDeliveryLedger } = await import('../../observability/webhook-replay.js');
  const { closeRedis, settlesWithin } = await import('../../runtime/shutdown.js');
  const metrics = createMetrics();
  const webhookSecret = loadWebhookSecret(opts.webhookSecretFile);
  const sources = createSources(opts.source, {
    logger,
    registry: metrics.registry,
    ...(opts.workDir ? { workDir: opts.workDir } : {}),
  });
  const { docker } = dockerFromEnv(process.env);
  const swarm = new DockerSwarmAdapter(docker, {
    onApiCall: (method) => metrics.dockerApiCalls.inc({ method }),
  });
  // auto-pipelining: the commands of concurrent reconciles issued in one tick go out in one write
  // (a resync pass's key locks and status reads); BullMQ's connections do not inherit it
  const redis = createRedis(redisTarget, {
    maxRetriesPerRequest: null,
    lazyConnect: false,
    enableAutoPipelining: true,
  });
  redis.on('error', (e) => logger.warn({ err: e }, 'redis connection error'));
  const kube = opts.kube
    ? (await import('../../kube/kube-runtime.js')).kubeRuntime({
        logger,
        redis,
        instanceId: g.instanceId,
        registry: metrics.registry,
        ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
        ...(opts.namespace ? { namespace: opts.namespace } : {}),
        lease: {
          durationMs: parseDurationMs(opts.leaseDuration),
          ...(opts.leaseName ? { name: opts.leaseName } : {}),
          ...(opts.leaseNamespace ? { namespace: opts.leaseNamespace } : {}),
        },
      })
    : undefined;
  if (kube) sources.push(kube.source);
  const { noSecrets, dirSecrets } = await import('../../sources/dir-secrets.js');
  const secrets = kube?.secrets ?? (opts.secretsDir ? dirSecrets(opts.secretsDir) : noSecrets);
  const { createKindReconcilers } = await import('../../machine-kinds.js');
  const { staticNodeEndpoints } = await import('../../machine-runner/node-endpoints.js');
  const endpointMap: Record<string, string> = {};
  for (const e of opts.nodeEndpoint) {
    const i = e.indexOf('=');
    if (i <= 0)
      throw new Error(`--node-endpoint ${e}: expected HOSTNAME=URL, e.g. node-2=tcp://10.0.0.2:2376`);
    endpointMap[e.slice(0, i)] = e.slice(i + 1);
  }
  const { loadSecretHashKey } = await import('../../docker/secret-hash-key.js');
  const { skError } = await import('../../../reconciler/errors.js');
  let hashKey: Promise<Buffer> | undefined;
  const kindReconcilers = createKindReconcilers({
    docker,
    redis,
    instanceId: g.instanceId,
    logger,
    secrets,
    ...(kube?.recorder ? { recorder: kube.recorder } : {}),
    staticEndpoints: staticNodeEndpoints(endpointMap),
  });
  const controller = buildManager({
    docker,
    swarm,
    images: swarm,
    redis,
    instanceId: g.instanceId,
    sources,
    logger,
    metrics,
    concurrency: Number(opts.concurrency),
    resyncIntervalMs: parseDurationMs(opts.resync),
    imageUpdateIntervalMs: parseDurationMs(opts.imageUpdateInterval),
    registryTags: await registryTags(docker),
    backoff: { baseMs: parseDurationMs(opts.backoffBase), maxMs: parseDurationMs(opts.backoffMax) },
    ...(opts.rateLimit ? { rateLimit: parseRateLimit(opts.rateLimit) } : {}),
    ...(opts.allowEmpty ? { allowEmpty: true } : {}),
    maxPruneFraction: Number(opts.maxPruneFraction),
    leaseTtlMs: parseDurationMs(opts.leaseTtl),
    ...(kube ? { statuses: kube.statuses, lifecycle: kube.lifecycle } : {}),
    ...(kube?.recorder ? { recorder: kube.recorder } : {}),
    kindReconcilers,
    secrets,
    stack,
    secretHashKey: () =>
      (hashKey ??= loadSecretHashKey({
        docker,
        instanceId: g.instanceId,
        create: true,
        ...(g.secretHashKeyFile ? { file: g.secretHashKeyFile } : {}),
      }).then(
        (k) => {
          logger.info({ source: k.source }, 'secret hash key loaded');
          return k.key;
        },
        (e: unknown) => {
          hashKey = undefined; // the next reconcile tries again
          throw skError('DOCKER_API', `cannot load the secret hash key: ${(e as Error).message}`, {
            cause: e,
          });
        },
      )),
  });
  const server = createHttpServer(
    metrics,
    {
      healthy: () => true,
      ready: readiness({
        redis,
        docker,
        flags: () => ({
          sources: controller.sourcesReady,
          // the informer replica once every kind has listed; a follower looks keys up
          ...(kube ? { kubeInformers: kube.source.informersReady } : {}),
        }),
        conflicts: () => controller.conflicts.list(),
      }),
    },
    {
      targets: () => sources,
      logger,
      registry: metrics.registry,
      ...(webhookSecret ? { secret: webhookSecret } : {}),
      deliveries: redisDeliveryLedger(redis, `swarmkeeper:${g.instanceId}:webhook-deliveries`),
      ...(controller.imagePoller ? { images: controller.imagePoller } : {}),
    },
  );
  metrics.setQueueDepthSource(async () => ({ ...(await controller.queue.depth()) }));
  // The signal handlers come before /readyz can answer: a SIGTERM right after start-up is a
  // graceful stop, not the default death.
  let idleGc: { stop(): void } = { stop: () => undefined }; // started once the controller runs
  const shutdownMs = parseDurationMs(opts.shutdownTimeout);
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(130);
      }
      stopping = true;
      idleGc.stop();
      logger.info({ signal }, 'shutting down: finishing active reconciles');
      // The guarantee: whatever is unreachable, the process is gone shortly after the timeout.
      const watchdog = setTimeout(() => {
        logger.error(
          { shutdownTimeoutMs: shutdownMs, graceMs: SHUTDOWN_GRACE_MS },
          'shutdown did not finish in time: exiting now',
        );
        process.exit(1);
      }, shutdownMs + SHUTDOWN_GRACE_MS).unref();
      void (async () => {
        if (kube && !(await settlesWithin(kube.secrets.stop(), 2000)))
          logger.warn('the Kubernetes Secret watch did not stop within 2 s');
        await controller.stop(shutdownMs);
        if (!(await settlesWithin(server.close(), 500)))
          logger.warn('the HTTP server did not close within 0.5 s');
        await closeRedis(redis, 500);
        clearTimeout(watchdog);
        logger.info('stopped');
        resolve();
      })();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  const [host, port] = opts.listen.split(':');
  try {
    await server.listen({ host: host || '127.0.0.1', port: Number(port) });
  } catch (e) {
    // The Redis and Docker clients hold the event loop: a controller that cannot start must exit.
    await closeRedis(redis, 500);
    setTimeout(() => process.exit(1), 500).unref();
    throw skError('CONNECTION_CONFIG', `--listen ${opts.listen}: cannot listen (${(e as Error).message})`, {
      cause: e,
    });
  }
  logger.info(
    { listen: opts.listen, sources: opts.source, instanceId: g.instanceId, redis: redisTarget.display },
    'swarmkeeper controller starting',
  );
  if (kube) {
    // A changed Secret reconciles the resources that reference it (a rotated value rolls the stack).
    const { keysReferencingSecret } = await import('../../kube/kube-secrets.js');
    await kube.secrets.start((namespace, name) => {
      const resources = controller.store.keys().flatMap((k) => controller.store.get(k)?.resource ?? []);
      for (const key of keysReferencingSecret(resources, namespace, name))
        controller.queue.enqueue(key).catch((err: unknown) => logger.warn({ key, err }, 'enqueue failed'));
    });
  }
  await controller.start();
  logger.info('controller running');
  // after each burst of work (the start-up pass, a resync), one GC gives its memory back (idle-gc.ts)
  if (opts.idleGc !== false)
    idleGc = (await import('../../runtime/idle-gc.js')).startIdleGc(IDLE_GC_CHECK_MS, (r) =>
      logger.debug(
        { youngMiB: [r.youngBefore / 2 ** 20, r.youngAfter / 2 ** 20], ms: Math.round(r.ms) },
        'idle: memory of the last burst released',
      ),
    );
  await stopped;
  // Whatever still holds the event loop (a socket to an unreachable Docker API, a client's
  // timer) must not keep a stopped controller alive.
  setTimeout(() => process.exit(exit.code), 500).unref();
  exit.code = 0;
}

/** The registry API client of the semver policy: the docker CLI config's credentials, the daemon's insecure registries. */
async function registryTags(docker: Docker): Promise<RegistryTags> {
  const { HttpRegistryTags, isInsecureRegistry } = await import('../../docker/registry-tags.js');
  const { loadDockerAuthConfig } = await import('../../docker/registry-auth.js');
  let config: Promise<RegistryConfigInfo | undefined> | undefined;
  return new HttpRegistryTags({
    auth: () => loadDockerAuthConfig(),
    insecure: async (host) => {
      // read once; a failure is asked again next time
      config ??= (docker.info() as Promise<{ RegistryConfig?: RegistryConfigInfo }>).then(
        (i) => i.RegistryConfig,
        () => (config = undefined),
      );
      return isInsecureRegistry(host, await config);
    },
  });
}
