/**
 * The volume migration machine's actors on dockerode. Services (consumers) are read and updated on a
 * manager; volumes and the copy go to the source and target nodes' own daemons (NodeEndpoints).
 *
 * The copy goes through the Docker archive API between two helper containers that are created and
 * never started (image `helperImage`, no network, the volume mounted at /vol): GET
 * /containers/{src}/archive?path=/vol on the source daemon is piped, chunk by chunk, into PUT
 * /containers/{dst}/archive?path=/ on the target daemon, so the data crosses nodes without ever being
 * buffered whole; a TarScanner counts files and content bytes as the chunks pass (progress). Verify
 * reads both archives again and compares name -> size + sha256 of every entry.
 *
 * Every implementation is idempotent, so a retried or resumed step is safe: helper containers have
 * fixed names per migration and are removed before being created again and after use; scaling and
 * mount changes leave a service that already has them alone; extracting the archive again over the
 * target rewrites the same files. Service updates send the current version with the full spec; on
 * `update out of sequence` the service is read again and the change applied to the new spec.
 */
import type Docker from 'dockerode';
import { pipeline, Transform, type Readable } from 'node:stream';
import { fromPromise } from 'xstate';
import { StepError } from '../../machines/step-policy.js';
import type { VolumeMigrationActors } from '../../machines/volume-migration.setup.js';
import {
  constraintsOf,
  excludesNode,
  isVolumeMount,
  mountsOf,
  mountsVolume,
  replicasOf,
  restoredSpec,
  scaledSpec,
  switchedSpec,
  type EngineServiceSpec,
} from '../../machines/volume-migration.services.js';
import {
  compareManifests,
  describeDifferences,
  manifestBuilder,
  TarScanner,
} from '../../machines/volume-migration.tar.js';
import type {
  Amount,
  ConsumerRecord,
  ConsumersInput,
  CopyInput,
  DiscoverInput,
  EnsuredTarget,
  EnsureTargetInput,
  RemoveSourceInput,
  ScaleUpInput,
  SourceInput,
  SwitchInput,
} from '../../machines/volume-migration.types.js';
import { LABEL_INSTANCE, LABEL_OWNER } from '../../reconciler/model/ownership.js';
import { dockerMessage, isOutOfSequence, statusCodeOf } from '../docker/docker-errors.js';
import { dockerRequest } from '../docker/request.js';
import { servicesMounting } from '../volume/volume-node.js';

/** Where the helper containers mount the volume; archive entries are `vol/...`. */
const MOUNT = '/vol';
const ROOT = 'vol';

export type MigrationProgressStep = 'measure' | 'copy' | 'verify';

export interface MigrationProgress {
  step: MigrationProgressStep;
  done: Amount;
  total?: Amount;
}

export interface MigrationActorDeps {
  /** A manager's daemon (services, tasks). */
  manager: Docker;
  /** The source node's own daemon. */
  source: Docker;
  /** The target node's own daemon (the same client when both volumes are on one node). */
  target: Docker;
  /** Image of the helper containers; never pulled, never run: it only has to be on both nodes. */
  helperImage: string;
  /** Container name prefix, unique per migration (e.g. `skmig-<hash>`). */
  helperName: string;
  /** Labels of the helper containers (the owner labels). */
  helperLabels: Record<string, string>;
  /** Copy bandwidth limit in bytes/s (unset: as fast as the daemons go). */
  bytesPerSecond?: number;
  /** How often scale-down/up look at the tasks (default 500 ms). */
  taskPollIntervalMs?: number;
  /** Live progress of measure/copy/verify (called at most every `progressIntervalMs`, and at the end). */
  onProgress?: (p: MigrationProgress) => void;
  progressIntervalMs?: number;
}

type Op<I, O> = (args: { input: I; signal: AbortSignal }) => Promise<O>;

/** The actors as plain async functions ({ input, signal }) -> output. */
export interface MigrationOps {
  discover: Op<DiscoverInput, ConsumerRecord[]>;
  ensureTarget: Op<EnsureTargetInput, EnsuredTarget>;
  scaleDown: Op<ConsumersInput, void>;
  measure: Op<SourceInput, Amount>;
  copy: Op<CopyInput, Amount>;
  verify: Op<CopyInput, Amount>;
  switch: Op<SwitchInput, void>;
  scaleUp: Op<ScaleUpInput, void>;
  restoreMounts: Op<SwitchInput, void>;
  removeSource: Op<RemoveSourceInput, void>;
}

/** Wraps plain functions as the machine's actors. */
export function migrationActorsFrom(ops: MigrationOps): VolumeMigrationActors {
  return {
    discover: fromPromise(ops.discover),
    ensureTarget: fromPromise(ops.ensureTarget),
    scaleDown: fromPromise(ops.scaleDown),
    measure: fromPromise(ops.measure),
    copy: fromPromise(ops.copy),
    verify: fromPromise(ops.verify),
    switch: fromPromise(ops.switch),
    scaleUp: fromPromise(ops.scaleUp),
    restoreMounts: fromPromise(ops.restoreMounts),
    removeSource: fromPromise(ops.removeSource),
  };
}

/** Implementations for `volumeMigrationMachine.provide({ actors: dockerMigrationActors(deps) })`. */
export function dockerMigrationActors(deps: MigrationActorDeps): VolumeMigrationActors {
  return migrationActorsFrom(dockerMigrationOps(deps));
}

function fail(op: string, e: unknown, retryable = true): never {
  if (e instanceof StepError) throw e;
  const status = statusCodeOf(e);
  const msg = status === undefined && e instanceof Error ? e.message : dockerMessage(e);
  throw new StepError(`${op}: ${msg}${status === undefined ? '' : ` (HTTP ${status})`}`, {
    retryable,
    cause: e,
  });
}

async function call<T>(op: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    fail(op, e);
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

interface EngineService {
  ID: string;
  Version: { Index: number };
  Spec: EngineServiceSpec;
}

interface EngineTask {
  ID: string;
  DesiredState?: string;
  NodeID?: string;
  Status?: { State?: string; Err?: string };
}

interface EngineVolume {
  Name: string;
  Driver: string;
  Labels?: Record<string, string> | null;
}

const TERMINAL_TASK_STATES = new Set(['complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned']);

async function inspectVolume(
  docker: Docker,
  name: string,
  signal: AbortSignal,
): Promise<EngineVolume | undefined> {
  try {
    return await dockerRequest<EngineVolume>(docker, {
      method: 'GET',
      path: `/volumes/${encodeURIComponent(name)}`,
      signal,
    });
  } catch (e) {
    if (statusCodeOf(e) === 404) return undefined;
    fail(`inspect volume ${name}`, e);
  }
}

async function inspectService(
  manager: Docker,
  id: string,
  signal: AbortSignal,
): Promise<EngineService | undefined> {
  try {
    return await dockerRequest<EngineService>(manager, {
      method: 'GET',
      path: `/services/${encodeURIComponent(id)}`,
      signal,
    });
  } catch (e) {
    if (statusCodeOf(e) === 404) return undefined;
    fail(`inspect service ${id}`, e);
  }
}

/**
 * Applies `change` to the service's current spec and updates it with the current version; on
 * `update out of sequence` reads the service again and applies the change to what it is now.
 * Returns false when the service is gone (nothing to do) and true otherwise.
 */
async function mutateService(
  manager: Docker,
  record: Pick<ConsumerRecord, 'id' | 'service'>,
  change: (spec: EngineServiceSpec) => EngineServiceSpec | undefined,
  signal: AbortSignal,
  retries = 5,
): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    const svc = await inspectService(manager, record.id, signal);
    if (svc === undefined) return false;
    const next = change(svc.Spec);
    if (next === undefined) return true;
    try {
      await dockerRequest(manager, {
        method: 'POST',
        path: `/services/${encodeURIComponent(svc.ID)}/update`,
        query: { version: svc.Version.Index },
        body: next,
        signal,
      });
      return true;
    } catch (e) {
      if (!isOutOfSequence(e) || attempt >= retries) fail(`update service ${record.service}`, e);
      await sleep(50 * (attempt + 1), signal);
    }
  }
}

async function tasksOf(manager: Docker, serviceId: string, signal: AbortSignal): Promise<EngineTask[]> {
  return call('list tasks', () =>
    dockerRequest<EngineTask[]>(manager, {
      method: 'GET',
      path: '/tasks',
      query: { filters: JSON.stringify({ service: [serviceId] }) },
      signal,
    }),
  );
}

/** Throttles progress callbacks. */
function reporter(deps: MigrationActorDeps, step: MigrationProgressStep, total?: Amount) {
  const every = deps.progressIntervalMs ?? 250;
  let last = 0;
  return (done: Amount, force = false) => {
    if (!deps.onProgress) return;
    const now = Date.now();
    if (!force && now - last < every) return;
    last = now;
    deps.onProgress(total ? { step, done, total } : { step, done });
  };
}

/** A pass-through that holds chunks back to keep under `bytesPerSecond`. */
function rateLimiter(bytesPerSecond: number): Transform {
  const started = Date.now();
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      sent += chunk.length;
      const due = started + (sent / bytesPerSecond) * 1000;
      const wait = due - Date.now();
      if (wait <= 0) return cb(null, chunk);
      timer = setTimeout(() => cb(null, chunk), wait);
    },
    destroy(err, cb) {
      if (timer !== undefined) clearTimeout(timer);
      cb(err);
    },
  });
}

interface ModemLike {
  dial(options: Record<string, unknown>, cb: (err: unknown, data: unknown) => void): void;
}

function dial<T>(docker: Docker, options: Record<string, unknown>): Promise<T> {
  const modem = docker.modem as unknown as ModemLike;
  return new Promise<T>((resolve, reject) =>
    modem.dial(options, (err, data) => (err ? reject(err) : resolve(data as T))),
  );
}

/** GET /containers/{id}/archive?path=...: the tar stream. */
function getArchive(docker: Docker, id: string, path: string, signal: AbortSignal): Promise<Readable> {
  return dial<Readable>(docker, {
    path: `/containers/${encodeURIComponent(id)}/archive?`,
    method: 'GET',
    isStream: true,
    statusCodes: { 200: true },
    options: { _query: { path } },
    abortSignal: signal,
  });
}

/** PUT /containers/{id}/archive?path=...: extracts the (streamed) tar there. */
function putArchive(
  docker: Docker,
  id: string,
  path: string,
  body: Readable,
  signal: AbortSignal,
): Promise<unknown> {
  return dial(docker, {
    path: `/containers/${encodeURIComponent(id)}/archive?`,
    method: 'PUT',
    file: body,
    statusCodes: { 200: true },
    options: { _query: { path } },
    abortSignal: signal,
  });
}

/** Reads a whole tar stream through a scanner (nothing kept but what the sink keeps). */
async function scan(stream: Readable, scanner: TarScanner, onChunk: () => void): Promise<void> {
  for await (const chunk of stream) {
    scanner.push(chunk as Buffer);
    onChunk();
  }
  scanner.finish();
}

export function dockerMigrationOps(deps: MigrationActorDeps): MigrationOps {
  const { manager } = deps;
  const pollMs = deps.taskPollIntervalMs ?? 500;

  /** A never-started container with `volume` at /vol, named `<helperName>-<suffix>`; removed after `use`. */
  async function withHelper<T>(
    docker: Docker,
    where: string,
    volume: string,
    suffix: string,
    readOnly: boolean,
    signal: AbortSignal,
    use: (id: string) => Promise<T>,
  ): Promise<T> {
    // the helper would create a missing volume (local driver) on its own: never let it
    if ((await inspectVolume(docker, volume, signal)) === undefined)
      throw new StepError(`volume ${volume} does not exist on node ${where}`, { retryable: false });
    const name = `${deps.helperName}-${suffix}`;
    await removeContainer(docker, name, signal);
    let created: { Id: string };
    try {
      created = await dockerRequest<{ Id: string }>(docker, {
        method: 'POST',
        path: '/containers/create',
        query: { name },
        body: {
          Image: deps.helperImage,
          Cmd: ['true'],
          Labels: deps.helperLabels,
          NetworkDisabled: true,
          HostConfig: {
            NetworkMode: 'none',
            Mounts: [{ Type: 'volume', Source: volume, Target: MOUNT, ReadOnly: readOnly }],
          },
        },
        signal,
      });
    } catch (e) {
      if (statusCodeOf(e) === 404 && /image/i.test(dockerMessage(e)))
        throw new StepError(
          `helper image ${deps.helperImage} is not on node ${where} (it is never pulled; ` +
            'load it there or set SWARMKEEPER_MIGRATION_HELPER_IMAGE)',
          { retryable: false, cause: e },
        );
      fail(`create helper container ${name} on node ${where}`, e);
    }
    try {
      return await use(created.Id);
    } finally {
      // the step's signal may be aborted already: the clean-up gets its own
      await removeContainer(docker, created.Id, AbortSignal.timeout(30_000)).catch(() => undefined);
    }
  }

  async function removeContainer(docker: Docker, idOrName: string, signal: AbortSignal): Promise<void> {
    try {
      await dockerRequest(docker, {
        method: 'DELETE',
        path: `/containers/${encodeURIComponent(idOrName)}`,
        query: { force: true, v: false },
        signal,
      });
    } catch (e) {
      if (statusCodeOf(e) !== 404) fail(`remove helper container ${idOrName}`, e);
    }
  }

  /** name -> manifest of the volume's archive on one node. */
  async function manifestOf(
    docker: Docker,
    where: string,
    volume: string,
    suffix: string,
    signal: AbortSignal,
    onChunk?: (s: TarScanner) => void,
  ) {
    return withHelper(docker, where, volume, suffix, true, signal, async (id) => {
      const { sink, manifest } = manifestBuilder(ROOT);
      const scanner = new TarScanner(sink);
      const stream = await call(`read volume ${volume} on node ${where}`, () =>
        getArchive(docker, id, MOUNT, signal),
      );
      await call(`read volume ${volume} on node ${where}`, () =>
        scan(stream, scanner, () => onChunk?.(scanner)),
      );
      return { manifest, amount: { bytes: scanner.contentBytes, files: scanner.files } };
    });
  }

  async function waitForTasks(
    consumers: readonly ConsumerRecord[],
    done: (tasks: EngineTask[], c: ConsumerRecord) => boolean,
    signal: AbortSignal,
  ): Promise<void> {
    for (;;) {
      let all = true;
      for (const c of consumers) if (!done(await tasksOf(manager, c.id, signal), c)) all = false;
      if (all) return;
      await sleep(pollMs, signal);
    }
  }

  return {
    discover: async ({ input, signal }) => {
      const { source } = input;
      if ((await inspectVolume(deps.source, source.volume, signal)) === undefined)
        throw new StepError(`source volume ${source.volume} does not exist on node ${source.node.hostname}`, {
          retryable: false,
        });
      const services = await call('list services', () =>
        dockerRequest<EngineService[]>(manager, { method: 'GET', path: '/services', signal }),
      );
      let chosen: EngineService[];
      if (input.consumers !== undefined) {
        chosen = input.consumers.map((name) => {
          const s = services.find((x) => x.Spec.Name === name || x.ID === name);
          if (s === undefined)
            throw new StepError(`spec.consumers: service ${name} does not exist`, { retryable: false });
          if (!mountsVolume(s.Spec, source.volume))
            throw new StepError(`spec.consumers: service ${name} does not mount volume ${source.volume}`, {
              retryable: false,
            });
          return s;
        });
      } else {
        chosen = services.filter(
          (s) => mountsVolume(s.Spec, source.volume) && !excludesNode(constraintsOf(s.Spec), source.node),
        );
      }
      return chosen
        .map((s): ConsumerRecord => {
          const name = s.Spec.Name ?? s.ID;
          const labels = (s.Spec['Labels'] ?? {}) as Record<string, string>;
          const owner = labels[LABEL_OWNER];
          if (
            input.corrected !== undefined &&
            owner !== undefined &&
            labels[LABEL_INSTANCE] === input.corrected.instance &&
            input.corrected.owners.includes(owner)
          )
            throw new StepError(
              `consumer ${name} is managed by ${owner} with driftPolicy correct: swarmkeeper would scale it ` +
                'back up during the copy and put the source mount back; point its spec at the target volume ' +
                'instead, or set driftPolicy: detect on it for the migration',
              { retryable: false },
            );
          const replicas = replicasOf(s.Spec);
          if (replicas === undefined)
            throw new StepError(
              `consumer ${name} is not a replicated service: only replicated services can be scaled to 0`,
              { retryable: false },
            );
          return {
            service: name,
            id: s.ID,
            replicas,
            mounts: mountsOf(s.Spec).filter((m) => isVolumeMount(m, source.volume)),
            constraints: constraintsOf(s.Spec),
          };
        })
        .sort((a, b) => a.service.localeCompare(b.service));
    },

    ensureTarget: async ({ input, signal }) => {
      const { target } = input;
      const where = target.node.hostname;
      const have = await inspectVolume(deps.target, target.volume, signal);
      if (have !== undefined) {
        const owner = target.create?.labels[LABEL_OWNER];
        if (target.create && have.Labels?.[LABEL_OWNER] !== owner)
          throw new StepError(
            `${target.origin}: volume ${target.volume} already exists on node ${where} and is not owned by ${owner}; ` +
              'name another volume, or refer to it with spec.target.volumeRef',
            { retryable: false },
          );
        // Services already on the target: an earlier migration to it completed (its status was
        // lost), or someone else uses it. Copying over it would replace their newer data.
        const users = await call(`look up the services that mount volume ${target.volume}`, () =>
          servicesMounting(manager, target.volume, signal),
        );
        if (users.length > 0)
          throw new StepError(
            `${target.origin}: volume ${target.volume} on node ${where} is already mounted by service(s) ` +
              `${users.join(', ')}: a migration never copies over a volume in use. If an earlier migration ` +
              'to it completed, delete this SwarmVolumeMigration; otherwise stop those services or name another target',
            { retryable: false },
          );
        return { exists: true, created: false, driver: have.Driver };
      }
      if (target.create === undefined) return { exists: false, created: false, driver: '' };
      const driver = target.create.driver ?? 'local';
      await call(`create volume ${target.volume} (driver ${driver}) on node ${where}`, () =>
        dockerRequest(deps.target, {
          method: 'POST',
          path: '/volumes/create',
          body: {
            Name: target.volume,
            Driver: driver,
            DriverOpts: target.create?.driverOpts ?? {},
            Labels: target.create?.labels ?? {},
          },
          signal,
        }),
      );
      return { exists: true, created: true, driver };
    },

    scaleDown: async ({ input, signal }) => {
      for (const c of input.consumers) await mutateService(manager, c, (spec) => scaledSpec(spec, 0), signal);
      await waitForTasks(
        input.consumers,
        (tasks) => tasks.every((t) => TERMINAL_TASK_STATES.has(t.Status?.State ?? '')),
        signal,
      );
    },

    measure: async ({ input, signal }) => {
      const { source } = input;
      const report = reporter(deps, 'measure');
      return withHelper(
        deps.source,
        source.node.hostname,
        source.volume,
        'measure',
        true,
        signal,
        async (id) => {
          const scanner = new TarScanner();
          const stream = await call(`read volume ${source.volume} on node ${source.node.hostname}`, () =>
            getArchive(deps.source, id, MOUNT, signal),
          );
          await call(`read volume ${source.volume} on node ${source.node.hostname}`, () =>
            scan(stream, scanner, () => report({ bytes: scanner.contentBytes, files: scanner.files })),
          );
          const amount = { bytes: scanner.contentBytes, files: scanner.files };
          report(amount, true);
          return amount;
        },
      );
    },

    copy: async ({ input, signal }) => {
      const { source, target } = input;
      const report = reporter(deps, 'copy', input.total);
      const op = `copy volume ${source.volume} (node ${source.node.hostname}) to ${target.volume} (node ${target.node.hostname})`;
      return withHelper(deps.source, source.node.hostname, source.volume, 'src', true, signal, (srcId) =>
        withHelper(deps.target, target.node.hostname, target.volume, 'dst', false, signal, async (dstId) => {
          const scanner = new TarScanner();
          const archive = await call(op, () => getArchive(deps.source, srcId, MOUNT, signal));
          const meter = new Transform({
            transform(chunk: Buffer, _enc, cb) {
              try {
                scanner.push(chunk);
              } catch (e) {
                return cb(e as Error);
              }
              report({ bytes: scanner.contentBytes, files: scanner.files });
              cb(null, chunk);
            },
          });
          let piped: Error | undefined;
          const stages: (Readable | Transform)[] = [archive];
          if (deps.bytesPerSecond !== undefined && deps.bytesPerSecond > 0)
            stages.push(rateLimiter(deps.bytesPerSecond));
          stages.push(meter);
          const body = pipeline(stages as [Readable, ...Transform[]], (err) => {
            if (err) piped = err;
          }) as unknown as Readable;
          try {
            await putArchive(deps.target, dstId, '/', body, signal);
          } catch (e) {
            archive.destroy();
            fail(op, piped ?? e);
          }
          if (piped) fail(op, piped);
          try {
            scanner.finish();
          } catch (e) {
            fail(op, e);
          }
          const amount = { bytes: scanner.contentBytes, files: scanner.files };
          report(amount, true);
          return amount;
        }),
      );
    },

    verify: async ({ input, signal }) => {
      const { source, target } = input;
      const report = reporter(deps, 'verify', input.total);
      const [src, dst] = await Promise.all([
        manifestOf(deps.source, source.node.hostname, source.volume, 'vsrc', signal, (s) =>
          report({ bytes: s.contentBytes, files: s.files }),
        ),
        manifestOf(deps.target, target.node.hostname, target.volume, 'vdst', signal),
      ]);
      const diffs = compareManifests(src.manifest, dst.manifest);
      if (diffs.length > 0)
        throw new StepError(
          `volume ${target.volume} on node ${target.node.hostname} differs from the source: ${describeDifferences(diffs)}`,
          { retryable: false },
        );
      report(src.amount, true);
      return src.amount;
    },

    switch: async ({ input, signal }) => {
      for (const c of input.consumers)
        await mutateService(
          manager,
          c,
          (spec) => switchedSpec(spec, input.source.volume, input.target),
          signal,
        );
    },

    scaleUp: async ({ input, signal }) => {
      for (const c of input.consumers)
        await mutateService(manager, c, (spec) => scaledSpec(spec, c.replicas), signal);
      if (!input.wait) return;
      await waitForTasks(
        input.consumers,
        (tasks, c) =>
          tasks.filter((t) => t.DesiredState === 'running' && t.Status?.State === 'running').length >=
          c.replicas,
        signal,
      );
    },

    restoreMounts: async ({ input, signal }) => {
      for (const c of input.consumers)
        await mutateService(manager, c, (spec) => restoredSpec(spec, c, input.target.volume), signal);
    },

    removeSource: async ({ input, signal }) => {
      const { source } = input;
      const where = source.node.hostname;
      if ((await inspectVolume(deps.source, source.volume, signal)) === undefined) return;
      // the consumers' old task containers (stopped) still reference the volume: they go first
      const ids = new Set(input.consumers.map((c) => c.id));
      const users = await call(`list containers using volume ${source.volume} on node ${where}`, () =>
        dockerRequest<{ Id: string; State?: string; Names?: string[]; Labels?: Record<string, string> }[]>(
          deps.source,
          {
            method: 'GET',
            path: '/containers/json',
            query: { all: true, filters: JSON.stringify({ volume: [source.volume] }) },
            signal,
          },
        ),
      );
      const blocking: string[] = [];
      for (const c of users) {
        const ours = ids.has(c.Labels?.['com.docker.swarm.service.id'] ?? '') && c.State !== 'running';
        if (ours) await removeContainer(deps.source, c.Id, signal);
        else blocking.push((c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''));
      }
      if (blocking.length > 0)
        throw new StepError(`volume ${source.volume} on node ${where} is in use by ${blocking.join(', ')}`);
      await call(`remove volume ${source.volume} on node ${where}`, async () => {
        try {
          await dockerRequest(deps.source, {
            method: 'DELETE',
            path: `/volumes/${encodeURIComponent(source.volume)}`,
            signal,
          });
        } catch (e) {
          if (statusCodeOf(e) !== 404) throw e;
        }
      });
    },
  };
}
