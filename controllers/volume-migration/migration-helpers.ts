/**
 * The helper containers of a volume migration: created (never started, no network) with the volume
 * at /vol, named `<helperName>-<suffix>`, removed before being created again and after use; the
 * archive of a volume read through them, and the throttled progress of measure/copy/verify.
 */
import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { StepError } from '../../machines/step-policy.js';
import { manifestBuilder, TarScanner } from '../../machines/volume-migration.tar.js';
import type { Amount } from '../../machines/volume-migration.types.js';
import { getArchive } from '../docker/archive.js';
import { dockerMessage, statusCodeOf } from '../docker/docker-errors.js';
import { dockerRequest } from '../docker/request.js';
import { call, fail, inspectVolume } from './migration-docker.js';

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

/** Where the helper containers mount the volume; archive entries are `vol/...`. */
export const MOUNT = '/vol';
const ROOT = 'vol';

export /** Throttles progress callbacks. */
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

export /** Reads a whole tar stream through a scanner (nothing kept but what the sink keeps). */
async function scan(stream: Readable, scanner: TarScanner, onChunk: () => void): Promise<void> {
  for await (const chunk of stream) {
    scanner.push(chunk as Buffer);
    onChunk();
  }
  scanner.finish();
}

export function migrationHelpers(deps: MigrationActorDeps) {
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

  return { withHelper, removeContainer, manifestOf };
}
