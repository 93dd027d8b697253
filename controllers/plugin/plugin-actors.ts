/**
 * The plugin install machine's actors on dockerode: per-node plugin calls go to the node's own daemon,
 * the verify check asks a manager (`GET /nodes/{id}`, Description.Engine.Plugins).
 * Every implementation is idempotent, so a step that is retried or resumed after a crash is safe:
 * pull of a plugin already present with the same reference, upgrade to the current reference,
 * disable of a disabled and enable of an enabled plugin are no-ops.
 */
import type Docker from 'dockerode';
import { fromPromise } from 'xstate';
import type { PluginInstallActors } from '../../machines/plugin-install.setup.js';
import type {
  ConfigureInput,
  InstalledPlugin,
  NamedInput,
  ObservedPlugin,
  PullInput,
  UpgradeInput,
} from '../../machines/plugin-install.types.js';
import type { EnginePluginPrivilege } from '../../machines/plugin-privileges.js';
import { pluginSetArgs, type ObservedPluginSettings } from '../../machines/plugin-settings.js';
import { StepError } from '../../machines/step-policy.js';
import { dockerMessage, statusCodeOf } from '../docker/docker-errors.js';
import { dockerRequest } from '../docker/request.js';
import { postProgress } from '../machine-runner/engine-stream.js';

export interface PluginActorDeps {
  /** The node's own daemon. */
  node: Docker;
  /** A manager's daemon (node descriptions). */
  manager: Docker;
  /** Swarm node ID of `node`. */
  nodeId: string;
}

interface PluginInspect {
  PluginReference?: string;
  Enabled?: boolean;
  Config?: { Interface?: { Types?: string[] }; Args?: { Name?: string } };
  Settings?: ObservedPluginSettings;
}

/** Errors retrying cannot fix. */
const PERMANENT = [
  /incorrect privileges/i,
  /not found in the plugin configuration/i,
  /is not settable/i,
  /invalid reference format/i,
  /manifest unknown/i,
];

const retryable = (msg: string) => !PERMANENT.some((re) => re.test(msg));

/** The StepError of a failed Engine call (dockerode's errors: never a StepError already). */
function fail(op: string, e: unknown): never {
  const msg = dockerMessage(e);
  const status = statusCodeOf(e);
  throw new StepError(`${op}: ${msg}${status === undefined ? '' : ` (HTTP ${status})`}`, {
    retryable: retryable(msg),
    cause: e,
  });
}

const plugin = (name: string) => `/plugins/${encodeURIComponent(name)}`;

async function inspect(docker: Docker, name: string, signal?: AbortSignal): Promise<PluginInspect | null> {
  try {
    return await dockerRequest<PluginInspect>(docker, {
      method: 'GET',
      path: `${plugin(name)}/json`,
      signal,
    });
  } catch (e) {
    if (statusCodeOf(e) === 404) return null;
    fail(`inspect ${name}`, e);
  }
}

function observed(p: PluginInspect): ObservedPlugin {
  return {
    remote: p.PluginReference ?? '',
    enabled: p.Enabled === true,
    types: p.Config?.Interface?.Types ?? [],
    settings: p.Settings ?? {},
  };
}

async function mustInspect(docker: Docker, name: string, signal?: AbortSignal): Promise<PluginInspect> {
  const p = await inspect(docker, name, signal);
  if (p === null) throw new StepError(`plugin ${name} is not installed`);
  return p;
}

async function privileges(
  docker: Docker,
  remote: string,
  signal?: AbortSignal,
): Promise<EnginePluginPrivilege[]> {
  try {
    const list = await dockerRequest<EnginePluginPrivilege[] | null>(docker, {
      method: 'GET',
      path: '/plugins/privileges',
      query: { remote },
      signal,
    });
    return list ?? [];
  } catch (e) {
    fail(`privileges of ${remote}`, e);
  }
}

async function progressCall(
  docker: Docker,
  op: string,
  path: string,
  query: Record<string, string>,
  body: unknown,
  signal?: AbortSignal,
) {
  let result;
  try {
    result = await postProgress(docker, { path, query, body, signal });
  } catch (e) {
    fail(op, e);
  }
  const { error } = result;
  if (error !== undefined) throw new StepError(`${op}: ${error}`, { retryable: retryable(error) });
}

async function post(
  docker: Docker,
  op: string,
  path: string,
  opts: { query?: Record<string, string | number>; body?: unknown; signal?: AbortSignal } = {},
) {
  try {
    await dockerRequest(docker, {
      method: 'POST',
      path,
      query: opts.query,
      body: opts.body,
      signal: opts.signal,
    });
  } catch (e) {
    fail(op, e);
  }
}

function installed(p: PluginInspect): InstalledPlugin {
  return { types: p.Config?.Interface?.Types ?? [] };
}

type Op<I, O> = (args: { input: I; signal: AbortSignal }) => Promise<O>;

/** The actors as plain async functions ({ input, signal }) -> output. */
export interface PluginOps {
  inspect: Op<NamedInput, ObservedPlugin | null>;
  privileges: Op<{ remote: string }, EnginePluginPrivilege[]>;
  pull: Op<PullInput, InstalledPlugin>;
  disable: Op<NamedInput, void>;
  upgrade: Op<UpgradeInput, InstalledPlugin>;
  configure: Op<ConfigureInput, void>;
  enable: Op<NamedInput, void>;
  listed: Op<NamedInput, boolean>;
}

/** Wraps plain functions as the machine's actors. */
export function pluginActorsFrom(ops: PluginOps): PluginInstallActors {
  return {
    inspect: fromPromise(ops.inspect),
    privileges: fromPromise(ops.privileges),
    pull: fromPromise(ops.pull),
    disable: fromPromise(ops.disable),
    upgrade: fromPromise(ops.upgrade),
    configure: fromPromise(ops.configure),
    enable: fromPromise(ops.enable),
    listed: fromPromise(ops.listed),
  };
}

/** Implementations for `pluginInstallMachine.provide({ actors: dockerPluginActors(deps) })`. */
export function dockerPluginActors(deps: PluginActorDeps): PluginInstallActors {
  return pluginActorsFrom(dockerPluginOps(deps));
}

export function dockerPluginOps(deps: PluginActorDeps): PluginOps {
  const { node } = deps;
  return {
    inspect: async ({ input, signal }) => {
      const p = await inspect(node, input.name, signal);
      return p === null ? null : observed(p);
    },
    privileges: async ({ input, signal }) => privileges(node, input.remote, signal),
    pull: async ({ input, signal }) => {
      const before = await inspect(node, input.name, signal);
      // a pull that timed out may still have finished: adopt it
      if (before !== null && before.PluginReference === input.remote) return installed(before);
      if (before !== null) {
        throw new StepError(
          `pull ${input.remote} as ${input.name}: a plugin ${input.name} with reference ${before.PluginReference} is already installed`,
          { retryable: false },
        );
      }
      const op = `pull ${input.remote} as ${input.name}`;
      await progressCall(
        node,
        op,
        '/plugins/pull',
        { remote: input.remote, name: input.name },
        input.privileges,
        signal,
      );
      return installed(await mustInspect(node, input.name, signal));
    },
    disable: async ({ input, signal }) => {
      const p = await mustInspect(node, input.name, signal);
      if (p.Enabled !== true) return;
      await post(node, `disable ${input.name}`, `${plugin(input.name)}/disable`, { signal });
    },
    upgrade: async ({ input, signal }) => {
      const p = await mustInspect(node, input.name, signal);
      if (p.PluginReference === input.remote) return installed(p);
      const privs = input.privileges ?? (await privileges(node, input.remote, signal));
      const op = `upgrade ${input.name} to ${input.remote}`;
      await progressCall(node, op, `${plugin(input.name)}/upgrade`, { remote: input.remote }, privs, signal);
      const after = await mustInspect(node, input.name, signal);
      if (after.PluginReference !== input.remote) {
        throw new StepError(`${op}: the plugin still has reference ${after.PluginReference}`);
      }
      return installed(after);
    },
    configure: async ({ input, signal }) => {
      const p = await mustInspect(node, input.name, signal);
      const args = pluginSetArgs(input.settings, p.Config?.Args?.Name ?? '');
      if (args.length === 0) return;
      // names only: values may be credentials
      const keys = args.map((a) => a.slice(0, a.indexOf('='))).join(', ');
      await post(node, `set ${keys} on ${input.name}`, `${plugin(input.name)}/set`, { body: args, signal });
    },
    enable: async ({ input, signal }) => {
      const p = await mustInspect(node, input.name, signal);
      if (p.Enabled === true) return;
      await post(node, `enable ${input.name}`, `${plugin(input.name)}/enable`, {
        query: { timeout: 0 },
        signal,
      });
    },
    listed: async ({ input, signal }) => {
      let n: { Description?: { Engine?: { Plugins?: { Type?: string; Name?: string }[] } } };
      try {
        n = await dockerRequest(deps.manager, { method: 'GET', path: `/nodes/${deps.nodeId}`, signal });
      } catch (e) {
        fail(`inspect node ${deps.nodeId}`, e);
      }
      const names = new Set([input.name, `${input.name}:latest`]);
      return (n.Description?.Engine?.Plugins ?? []).some((p) => p.Name !== undefined && names.has(p.Name));
    },
  };
}
