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
import { pipeline, Transform, type Readable } from 'node:stream';
import { fromPromise } from 'xstate';
import { StepError } from '../../machines/step-policy.js';
import type { VolumeMigrationActors } from '../../machines/volume-migration.setup.js';
import { restoredSpec, scaledSpec, switchedSpec } from '../../machines/volume-migration.services.js';
import { compareManifests, describeDifferences, TarScanner } from '../../machines/volume-migration.tar.js';
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
import { LABEL_OWNER } from '../../reconciler/model/ownership.js';
import { getArchive, putArchive, rateLimiter } from '../docker/archive.js';
import { delay } from '../docker/operations.js';
import { dockerRequest } from '../docker/request.js';
import { deleteVolume, servicesMounting } from '../docker/volumes.js';
import {
  call,
  fail,
  inspectVolume,
  mutateService,
  tasksOf,
  TERMINAL_TASK_STATES,
  type EngineTask,
} from './migration-docker.js';
import { discoverConsumers } from './migration-consumers.js';
import { migrationHelpers, MOUNT, reporter, scan } from './migration-helpers.js';

export type { MigrationActorDeps, MigrationProgress, MigrationProgressStep } from './migration-helpers.js';
import type { MigrationActorDeps } from './migration-helpers.js';

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

export function dockerMigrationOps(deps: MigrationActorDeps): MigrationOps {
  const { manager } = deps;
  const pollMs = deps.taskPollIntervalMs ?? 500;
  const { withHelper, removeContainer, manifestOf } = migrationHelpers(deps);

  async function waitForTasks(
    consumers: readonly ConsumerRecord[],
    done: (tasks: EngineTask[], c: ConsumerRecord) => boolean,
    signal: AbortSignal,
  ): Promise<void> {
    for (;;) {
      let all = true;
      for (const c of consumers) if (!done(await tasksOf(manager, c.id, signal), c)) all = false;
      if (all) return;
      await delay(pollMs, signal);
    }
  }

  return {
    discover: ({ input, signal }) => discoverConsumers(manager, deps.source, input, signal),

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
      const { create } = target;
      if (create === undefined) return { exists: false, created: false, driver: '' };
      const driver = create.driver ?? 'local';
      await call(`create volume ${target.volume} (driver ${driver}) on node ${where}`, () =>
        dockerRequest(deps.target, {
          method: 'POST',
          path: '/volumes/create',
          body: {
            Name: target.volume,
            Driver: driver,
            DriverOpts: create.driverOpts ?? {},
            Labels: create.labels,
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
      await call(`remove volume ${source.volume} on node ${where}`, () =>
        deleteVolume(deps.source, source.volume, signal),
      );
    },
  };
}
