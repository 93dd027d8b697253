// Shared by the apply-*.test.ts files: desired objects with a secret, plan and action builders, and a
// default fake Engine (creates return ids, lists find existing configs/secrets).
import type { ServiceSpec } from '../../../reconciler/model/engine-types.js';
import type { DesiredObject } from '../../../reconciler/model/objects.js';
import { Sensitive } from '../../../reconciler/model/sensitive.js';
import type { Action, Plan } from '../../../reconciler/plan/types.js';
import { type FakeReply, type FakeRequest } from '../../support/fake-docker.js';

export const SECRET = 'c3VwZXItc2VjcmV0LXZhbHVl';
export const svcSpec: ServiceSpec = {
  Name: 's_web',
  TaskTemplate: {
    ContainerSpec: {
      Image: 'ghcr.io/org/web:1',
      Configs: [{ ConfigName: 's_cfg-abc', File: { Name: '/c', UID: '0', GID: '0', Mode: 0o444 } }],
      Secrets: [{ SecretName: 's_sec-def', File: { Name: '/s', UID: '0', GID: '0', Mode: 0o400 } }],
    },
    Networks: [{ Target: 's_net' }],
  },
};
export const objects: Record<string, DesiredObject> = {
  net: { kind: 'network', name: 's_net', spec: { Name: 's_net', Driver: 'overlay' } },
  cfg: {
    kind: 'config',
    name: 's_cfg-abc',
    logicalName: 's_cfg',
    hash: 'abc',
    spec: { Name: 's_cfg-abc', Data: 'eA==' },
  },
  sec: {
    kind: 'secret',
    name: 's_sec-def',
    logicalName: 's_sec',
    hash: 'def',
    spec: { Name: 's_sec-def', Data: new Sensitive(SECRET) },
  },
  svc: { kind: 'service', name: 's_web', spec: svcSpec },
};
export const create = (o: DesiredObject): Action => ({
  op: 'create',
  kind: o.kind,
  name: o.name,
  desired: o,
});
export const update = (version: number | undefined): Action => ({
  op: 'update',
  kind: 'service',
  name: 's_web',
  id: 'svc1',
  version,
  desired: objects.svc!,
  changes: [],
  labelsOnly: false,
});
export const remove = (kind: Action['kind'], id: string): Action => ({
  op: 'remove',
  kind,
  name: `n-${id}`,
  id,
  why: 'pruned',
});
export const plan = (actions: Action[]): Plan => ({ owner: 'SwarmStack/ns/s', actions, blocked: [] });

/** Default Docker behaviour for the fake: creates return ids, lists find existing configs/secrets. */
export function engine(over: (req: FakeRequest) => FakeReply | undefined = () => undefined) {
  return (req: FakeRequest): FakeReply => {
    const o = over(req);
    if (o) return o;
    if (req.method === 'POST' && req.path.endsWith('/create')) {
      const kind = req.path.split('/')[1]!;
      return { status: 201, json: kind === 'networks' ? { Id: `id-${kind}` } : { ID: `id-${kind}` } };
    }
    if (req.method === 'GET' && req.path === '/configs')
      return { status: 200, json: [{ ID: 'cfg-old', Spec: { Name: 's_cfg-abc' } }] };
    if (req.method === 'GET' && req.path === '/secrets')
      return { status: 200, json: [{ ID: 'sec-old', Spec: { Name: 's_sec-def' } }] };
    if (req.method === 'GET' && req.path.startsWith('/services/'))
      return { status: 200, json: { ID: 'svc1', Version: { Index: 42 }, Spec: svcSpec } };
    if (req.method === 'POST' && req.path.endsWith('/update')) return { status: 200, json: {} };
    if (req.method === 'DELETE') return { status: 204 };
    return { status: 500, json: { message: `fake: unexpected ${req.method} ${req.path}` } };
  };
}
