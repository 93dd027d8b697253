/**
 * The Docker implementation of SwarmPort (dockerode: observe, apply, health), plus task/node listing for rollout and
 * health checks, and an `onApiCall(method, route)` hook so metrics can count Docker API calls.
 */
import type Docker from 'dockerode';
import type { ObservedState } from '../../reconciler/model/objects.js';
import type { HookRun } from '../../reconciler/plan/hooks.js';
import type { Plan } from '../../reconciler/plan/types.js';
import type { ServiceHealth } from '../../reconciler/status/resource-status.js';
import type {
  ActionResult,
  ApplyProgress,
  HealthQuery,
  ImageResolver,
  ObserveQuery,
  ResolvedImage,
  SwarmPort,
} from '../ports.js';
import { distributionInspect } from './distribution.js';
import { serviceHealthByOwner } from './health.js';
import { hookRuns } from './hook-runs.js';
import { applyPlan } from './apply.js';
import { dockerFromEnv, type ConnectionOptions, type Env } from './connection.js';
import type { OpContext } from './operations.js';
import { observe } from './observe.js';
import { listNodes, listTasks, type ObservedNode, type ObservedTask } from './tasks.js';
import { loadDockerAuthConfig, registryAuthFor, type DockerAuthConfig } from './registry-auth.js';

export type ApiCallHook = (method: string, route: string) => void;

export interface DockerSwarmAdapterOptions {
  /** Called once per Docker API request, with a bounded-cardinality route (`/services/{id}/update`). */
  onApiCall?: ApiCallHook;
  /** Parallel actions inside one apply phase (default 8). */
  concurrency?: number;
  /**
   * Registry credentials for service create/update: a docker CLI config's `auths`, or a loader
   * called on each apply (default: read $DOCKER_CONFIG/config.json or ~/.docker/config.json).
   */
  registryAuth?: DockerAuthConfig | (() => DockerAuthConfig);
  updateRetries?: number;
  retryDelayMs?: number;
  inUseTimeoutMs?: number;
}

const ID_COLLECTIONS = new Set([
  'services',
  'networks',
  'configs',
  'secrets',
  'volumes',
  'tasks',
  'nodes',
  'containers',
  'exec',
  'plugins',
]);
const VERBS = new Set(['create', 'prune', 'json', 'logs', 'update', 'inspect', 'events']);

/** `/v1.41/services/abc123/update?version=3` -> `/services/{id}/update`. */
export function routeOf(path: string): string {
  const bare = path.split('?')[0]!.replace(/^\/v\d+(\.\d+)?(?=\/)/, '');
  // an image name has slashes of its own: one route for all of them
  if (bare.startsWith('/distribution/')) return '/distribution/{name}/json';
  const parts = bare.split('/');
  if (parts.length >= 3 && ID_COLLECTIONS.has(parts[1]!) && !VERBS.has(parts[2]!)) parts[2] = '{id}';
  return parts.join('/');
}

interface DialOptions {
  method?: string;
  path?: string;
}
type Dial = (options: DialOptions, cb: unknown) => unknown;

/** Counts every request dockerode makes (including streams) by wrapping its modem's dial. */
export function instrumentDocker(docker: Docker, hook: ApiCallHook): void {
  const modem = docker.modem as unknown as { dial: Dial };
  const original = modem.dial.bind(modem);
  modem.dial = (options, cb) => {
    try {
      hook(options.method ?? 'GET', routeOf(options.path ?? '/'));
    } catch {
      // a metrics hook must never break an API call
    }
    return original(options, cb);
  };
}

export class DockerSwarmAdapter implements SwarmPort, ImageResolver {
  readonly docker: Docker;
  readonly #opts: DockerSwarmAdapterOptions;

  constructor(docker: Docker, opts: DockerSwarmAdapterOptions = {}) {
    this.docker = docker;
    this.#opts = opts;
    if (opts.onApiCall) instrumentDocker(docker, opts.onApiCall);
  }

  /** An adapter for the environment's Docker endpoint (see connection.ts). */
  static fromEnv(
    env: Env = process.env,
    opts: DockerSwarmAdapterOptions & ConnectionOptions = {},
  ): { adapter: DockerSwarmAdapter; description: string } {
    const { docker, description } = dockerFromEnv(env, opts);
    return { adapter: new DockerSwarmAdapter(docker, opts), description };
  }

  observe(query: ObserveQuery): Promise<ObservedState> {
    return observe(this.docker, query);
  }

  apply(
    plan: Plan,
    opts: { onProgress?: ApplyProgress; signal?: AbortSignal } = {},
  ): Promise<ActionResult[]> {
    const auth = this.#authConfig(plan);
    const ctx: OpContext = {
      docker: this.docker,
      registryAuth: auth ? (image) => registryAuthFor(image, auth) : undefined,
      updateRetries: this.#opts.updateRetries,
      retryDelayMs: this.#opts.retryDelayMs,
      inUseTimeoutMs: this.#opts.inUseTimeoutMs,
    };
    return applyPlan(ctx, plan, { ...opts, concurrency: this.#opts.concurrency });
  }

  /** The digest of an image tag, asked with the registry credentials service writes send. */
  resolveImage(image: string, signal?: AbortSignal): Promise<ResolvedImage> {
    const auth = registryAuthFor(image, this.#loadAuth());
    return distributionInspect(this.docker, image, auth, signal);
  }

  health(query: HealthQuery): Promise<Map<string, ServiceHealth[]>> {
    return serviceHealthByOwner(this.docker, query.instanceId, query.owner, query.namePrefixes);
  }

  hookRuns(serviceIds: readonly string[]): Promise<Map<string, HookRun>> {
    return hookRuns(this.docker, serviceIds);
  }

  listTasks(services: string[], opts?: { desiredState?: string }): Promise<ObservedTask[]> {
    return listTasks(this.docker, services, opts);
  }

  listNodes(): Promise<ObservedNode[]> {
    return listNodes(this.docker);
  }

  /** Only read credentials when the plan creates or updates a service. */
  #authConfig(plan: Plan): DockerAuthConfig | undefined {
    if (!plan.actions.some((a) => a.kind === 'service' && a.op !== 'remove')) return undefined;
    return this.#loadAuth();
  }

  #loadAuth(): DockerAuthConfig {
    const source = this.#opts.registryAuth ?? (() => loadDockerAuthConfig());
    return typeof source === 'function' ? source() : source;
  }
}
