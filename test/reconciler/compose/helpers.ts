import { loadCompose } from '../../../reconciler/compose/load.js';
import { toSwarm } from '../../../reconciler/compose/to-swarm.js';
import type { ServiceSpec } from '../../../reconciler/model/engine-types.js';
import type { DesiredState } from '../../../reconciler/model/objects.js';
import type { FileReader } from '../../../reconciler/ports.js';

export const OWNER = { kind: 'SwarmStack', namespace: 'team', name: 'shop' };
export const INSTANCE = 'sk-test';
export const OWN = { 'swarmkeeper.io/owner': 'SwarmStack/team/shop', 'swarmkeeper.io/instance': INSTANCE };
export const FILE = '/stacks/st/stack.yml';
/** The instance's key of secret names in these tests. */
export const SECRET_HASH_KEY = new TextEncoder().encode('sk-test-secret-hash-key');

/** An in-memory FileReader; unknown paths throw like ENOENT. */
export function memFiles(files: Record<string, string>): FileReader {
  const get = (p: string): string => {
    const v = files[p];
    if (v === undefined) throw new Error(`ENOENT: no such file or directory, open '${p}'`);
    return v;
  };
  return { readText: get, readBytes: (p) => new TextEncoder().encode(get(p)) };
}

export function deploy(
  text: string,
  opts: { env?: Record<string, string>; files?: FileReader; stack?: string } = {},
): DesiredState {
  const files = opts.files ?? memFiles({});
  const project = loadCompose({ file: FILE, text }, { env: opts.env ?? {}, files });
  return toSwarm(
    { name: opts.stack ?? 'st', project },
    {
      owner: OWNER,
      instanceId: INSTANCE,
      files,
      secretHashKey: SECRET_HASH_KEY,
    },
  );
}

export function serviceOf(state: DesiredState, name: string): ServiceSpec {
  const obj = state.objects.find((o) => o.kind === 'service' && o.name === name);
  if (!obj || obj.kind !== 'service') throw new Error(`no service ${name}`);
  return obj.spec;
}

export const PRIVILEGES = { CredentialSpec: null, SELinuxContext: null, NoNewPrivileges: false };

/** What `docker stack deploy` sends for `s: {image: img:1}` in stack `st` (plus ownership labels). */
export function baseSpec(): ServiceSpec {
  return {
    Name: 'st_s',
    Labels: { 'com.docker.stack.namespace': 'st', 'com.docker.stack.image': 'img:1', ...OWN },
    TaskTemplate: {
      ContainerSpec: {
        Image: 'img:1',
        Labels: { 'com.docker.stack.namespace': 'st' },
        Privileges: PRIVILEGES,
      },
      Resources: {},
      Placement: {},
      Networks: [{ Target: 'st_default', Aliases: ['s'] }],
      ForceUpdate: 0,
    },
    Mode: { Replicated: { Replicas: 1 } },
    EndpointSpec: { Mode: 'vip' },
  };
}

type Patch = { [k: string]: unknown };

/** Deep merge: objects merge, arrays and scalars replace, `undefined` deletes. */
export function merge<T>(base: T, patch: Patch): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete out[k];
    else if (
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      out[k] &&
      typeof out[k] === 'object' &&
      !Array.isArray(out[k])
    )
      out[k] = merge(out[k], v as Patch);
    else out[k] = v;
  }
  return out as T;
}

export function ct(patch: Patch): Patch {
  return { TaskTemplate: { ContainerSpec: patch } };
}
