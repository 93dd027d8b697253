/**
 * What Docker shows of deploy hook runs (reconciler/plan/hooks.ts): for each hook job service, the
 * revision label and the state of the tasks of its current job iteration. Docker is the only
 * record: a restarted controller reads the same answer. Two list calls (services, tasks), plus the
 * service logs of a failed hook.
 */
import { compareNames } from '../../reconciler/model/order.js';
import type Docker from 'dockerode';
import { LABEL_HOOK_REVISION } from '../../reconciler/compose/hooks.js';
import type { HookRun } from '../../reconciler/plan/hooks.js';
import { listCall as call } from './docker-errors.js';
import { jobCompletions } from './health.js';

/** Log lines kept of a failed hook, and characters kept per line. */
export const HOOK_LOG_LINES = 10;
export const HOOK_LOG_LINE_CHARS = 200;

interface ServiceEntry {
  ID: string;
  Spec?: {
    Name?: string;
    Labels?: Record<string, string>;
    Mode?: { ReplicatedJob?: { TotalCompletions?: number } };
  };
  JobStatus?: { JobIteration?: { Index?: number } };
}

export interface HookTask {
  ServiceID?: string;
  JobIteration?: { Index?: number };
  DesiredState?: string;
  Status?: { State?: string; Err?: string; Timestamp?: string; ContainerStatus?: { ExitCode?: number } };
}

const ENDED = new Set(['complete', 'failed', 'rejected', 'shutdown', 'orphaned', 'remove']);
const FAILED = new Set(['failed', 'rejected']);

/**
 * The run of one job service from its tasks of the current iteration: running while one is not
 * ended (or none exists yet), complete when enough completed, else failed (the newest failure).
 */
export function runOf(revision: string | undefined, total: number, tasks: readonly HookTask[]): HookRun {
  const rev = revision === undefined ? {} : { revision };
  if (tasks.length === 0 || tasks.some((t) => !ENDED.has(t.Status?.State ?? '')))
    return { ...rev, state: 'running' };
  if (tasks.filter((t) => t.Status?.State === 'complete').length >= total)
    return { ...rev, state: 'complete' };
  const failed = tasks
    .filter((t) => FAILED.has(t.Status?.State ?? ''))
    .sort((a, b) => compareNames(a.Status?.Timestamp ?? '', b.Status?.Timestamp ?? ''))
    .at(-1);
  const exitCode = failed?.Status?.ContainerStatus?.ExitCode;
  const err = failed?.Status?.Err;
  return {
    ...rev,
    state: 'failed',
    ...(exitCode === undefined ? {} : { exitCode }),
    ...(err ? { message: clean(err) } : {}),
  };
}

/** Without ANSI escapes and control characters, bounded. */
export function clean(line: string): string {
  // eslint-disable-next-line no-control-regex
  const s = line.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/[\x00-\x1f\x7f-\x9f]/g, '');
  return s.length > HOOK_LOG_LINE_CHARS ? `${s.slice(0, HOOK_LOG_LINE_CHARS)}…` : s;
}

/** The text of a (possibly multiplexed, 8-byte framed) log body. */
export function demux(body: Buffer): string {
  const frames: Buffer[] = [];
  let i = 0;
  while (
    i + 8 <= body.length &&
    body[i]! <= 2 &&
    body[i + 1] === 0 &&
    body[i + 2] === 0 &&
    body[i + 3] === 0
  ) {
    const size = body.readUInt32BE(i + 4);
    frames.push(body.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return i === 0 ? body.toString('utf8') : Buffer.concat(frames).toString('utf8');
}

/** The last non-empty lines of a log text, cleaned and bounded. */
export function lastLines(text: string, n = HOOK_LOG_LINES): string[] {
  return text
    .split(/\r?\n/)
    .map(clean)
    .filter((l) => l.trim() !== '')
    .slice(-n);
}

async function logsOf(docker: Docker, id: string): Promise<string[]> {
  try {
    const body = (await docker
      .getService(id)
      .logs({ stdout: true, stderr: true, follow: false, tail: HOOK_LOG_LINES } as never)) as unknown;
    return lastLines(Buffer.isBuffer(body) ? demux(body) : String(body));
  } catch {
    return []; // the logs are a help; the exit code is the fact
  }
}

/** The runs of the hook services with these ids, by service name. */
export async function hookRuns(docker: Docker, ids: readonly string[]): Promise<Map<string, HookRun>> {
  const out = new Map<string, HookRun>();
  if (ids.length === 0) return out;
  const services = (await call('services', () =>
    docker.listServices({ filters: { id: [...ids] } }),
  )) as unknown as ServiceEntry[];
  const tasks = (await call('tasks', () =>
    docker.listTasks({ filters: { service: services.map((s) => s.ID) } }),
  )) as unknown as HookTask[];
  for (const s of services) {
    const name = s.Spec?.Name;
    if (!name || !ids.includes(s.ID)) continue;
    const iteration = s.JobStatus?.JobIteration?.Index;
    const own = tasks.filter(
      (t) => t.ServiceID === s.ID && (iteration === undefined || t.JobIteration?.Index === iteration),
    );
    const run = runOf(
      s.Spec?.Labels?.[LABEL_HOOK_REVISION],
      jobCompletions(s.Spec?.Mode?.ReplicatedJob ?? {}),
      own,
    );
    if (run.state === 'failed') {
      const logs = await logsOf(docker, s.ID);
      if (logs.length > 0) run.logs = logs;
    }
    out.set(name, run);
  }
  return out;
}
