import { describe, expect, it } from 'vitest';
import { applyPlan, phaseOf } from '../../../controllers/docker/apply.js';
import type { ServiceSpec } from '../../../reconciler/model/engine-types.js';
import type { DesiredObject } from '../../../reconciler/model/objects.js';
import { Sensitive } from '../../../reconciler/model/sensitive.js';
import type { Action, Plan } from '../../../reconciler/plan/types.js';
import { isSwarmkeeperError } from '../../../reconciler/errors.js';
import { fakeDocker, type FakeReply, type FakeRequest } from '../../support/fake-docker.js';

const SECRET = 'c3VwZXItc2VjcmV0LXZhbHVl';
const svcSpec: ServiceSpec = {
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
const objects: Record<string, DesiredObject> = {
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
const create = (o: DesiredObject): Action => ({ op: 'create', kind: o.kind, name: o.name, desired: o });
const update = (version: number | undefined): Action => ({
  op: 'update',
  kind: 'service',
  name: 's_web',
  id: 'svc1',
  version,
  desired: objects.svc!,
  changes: [],
  labelsOnly: false,
});
const remove = (kind: Action['kind'], id: string): Action => ({
  op: 'remove',
  kind,
  name: `n-${id}`,
  id,
  why: 'pruned',
});
const plan = (actions: Action[]): Plan => ({ owner: 'SwarmStack/ns/s', actions, blocked: [] });

/** Default Docker behaviour for the fake: creates return ids, lists find existing configs/secrets. */
function engine(over: (req: FakeRequest) => FakeReply | undefined = () => undefined) {
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

describe('phaseOf', () => {
  it.each<[Action, string]>([
    [create(objects.net!), 'create'],
    [create(objects.sec!), 'create'],
    [create(objects.svc!), 'services'],
    [update(1), 'services'],
    [
      {
        op: 'recreate',
        kind: 'network',
        name: 'n',
        id: 'i',
        desired: objects.net!,
        changes: [],
        affectedServices: [],
      },
      'recreate',
    ],
    [remove('service', 'x'), 'remove-services'],
    [remove('config', 'x'), 'remove-others'],
  ])('%#', (action, phase) => {
    expect(phaseOf(action)).toBe(phase);
  });
});

describe('applyPlan', () => {
  it('runs phases in dependency order, fills config/secret ids and returns results in plan order', async () => {
    const { docker, requests } = fakeDocker(engine());
    const actions = [
      remove('config', 'cfg-older'),
      remove('service', 'svc-gone'),
      create(objects.svc!),
      create(objects.cfg!),
      create(objects.sec!),
      create(objects.net!),
    ];
    const events: string[] = [];
    const results = await applyPlan({ docker }, plan(actions), {
      onProgress: (e) => events.push(`${e.phase} ${e.action.op} ${e.action.kind}`),
    });
    expect(results.map((r) => [r.action, r.ok, r.id])).toEqual([
      [actions[0], true, 'cfg-older'],
      [actions[1], true, 'svc-gone'],
      [actions[2], true, 'id-services'],
      [actions[3], true, 'id-configs'],
      [actions[4], true, 'id-secrets'],
      [actions[5], true, 'id-networks'],
    ]);
    const order = requests.map((r) => `${r.method} ${r.path}`);
    expect(order.slice(0, 3).sort()).toEqual([
      'POST /configs/create',
      'POST /networks/create',
      'POST /secrets/create',
    ]);
    // the config and secret were created in phase 1: no lookup list call is needed
    expect(order.slice(3)).toEqual([
      'POST /services/create',
      'DELETE /services/svc-gone',
      'DELETE /configs/cfg-older',
    ]);
    const created = requests.find((r) => r.path === '/services/create')!;
    const cs = (created.body as ServiceSpec).TaskTemplate.ContainerSpec;
    expect(cs.Configs![0]).toMatchObject({ ConfigName: 's_cfg-abc', ConfigID: 'id-configs' });
    expect(cs.Secrets![0]).toMatchObject({ SecretName: 's_sec-def', SecretID: 'id-secrets' });
    expect(svcSpec.TaskTemplate.ContainerSpec.Configs![0]).not.toHaveProperty('ConfigID'); // desired spec untouched
    expect(events.filter((e) => e.startsWith('done'))).toHaveLength(6);
  });

  it('sends secret data only in the create body, never in the query', async () => {
    const { docker, requests } = fakeDocker(engine());
    await applyPlan({ docker }, plan([create(objects.sec!)]));
    expect(requests[0]).toMatchObject({
      method: 'POST',
      path: '/secrets/create',
      query: {},
      body: { Name: 's_sec-def', Data: SECRET },
    });
  });

  it('looks up existing configs/secrets by name with one list call each', async () => {
    const { docker, requests } = fakeDocker(engine());
    await applyPlan({ docker }, plan([update(7)]));
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /configs',
      'GET /secrets',
      'POST /services/svc1/update',
    ]);
    expect(requests[0]!.query).toEqual({ filters: JSON.stringify({ name: ['s_cfg-abc'] }) });
    const upd = requests[2]!;
    expect(upd.query).toEqual({ version: 7 });
    expect((upd.body as ServiceSpec).TaskTemplate.ContainerSpec.Secrets![0]!.SecretID).toBe('sec-old');
  });

  it('fills empty ConfigID/SecretID (as the compose translation leaves them) by name on update', async () => {
    const { docker, requests } = fakeDocker(engine());
    const cs = svcSpec.TaskTemplate.ContainerSpec;
    const spec: ServiceSpec = {
      ...svcSpec,
      TaskTemplate: {
        ...svcSpec.TaskTemplate,
        ContainerSpec: {
          ...cs,
          Configs: cs.Configs!.map((r) => ({ ...r, ConfigID: '' })),
          Secrets: cs.Secrets!.map((r) => ({ ...r, SecretID: '' })),
        },
      },
    };
    const action = { ...update(7), desired: { kind: 'service' as const, name: 's_web', spec } };
    const [res] = await applyPlan({ docker }, plan([action]));
    expect(res!.ok, res!.error?.message).toBe(true);
    const sent = (requests.find((r) => r.path.endsWith('/update'))!.body as ServiceSpec).TaskTemplate
      .ContainerSpec;
    expect(sent.Configs![0]).toMatchObject({ ConfigName: 's_cfg-abc', ConfigID: 'cfg-old' });
    expect(sent.Secrets![0]).toMatchObject({ SecretName: 's_sec-def', SecretID: 'sec-old' });
  });

  it('names the missing config when a referenced config does not exist', async () => {
    const { docker } = fakeDocker(
      engine((r) => (r.method === 'GET' && r.path === '/configs' ? { status: 200, json: [] } : undefined)),
    );
    const [res] = await applyPlan({ docker }, plan([update(7)]));
    expect(res!.ok).toBe(false);
    expect(res!.error!.message).toBe('service s_web: config s_cfg-abc does not exist');
  });

  it('recreates a service (mode switch): removes it, then creates it with ids filled', async () => {
    const { docker, requests } = fakeDocker(engine());
    const action: Action = {
      op: 'recreate',
      kind: 'service',
      name: 's_web',
      id: 'svc1',
      desired: objects.svc!,
      changes: [{ path: 'Mode.Global', to: {} }],
      affectedServices: ['s_web'],
    };
    const [res] = await applyPlan({ docker }, plan([action]));
    expect(res).toMatchObject({ ok: true, id: 'id-services' });
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /configs',
      'GET /secrets',
      'DELETE /services/svc1',
      'POST /services/create',
    ]);
    const cs = (requests[3]!.body as ServiceSpec).TaskTemplate.ContainerSpec;
    expect(cs.Configs![0]!.ConfigID).toBe('cfg-old');
  });

  it.each(['config', 'secret'] as const)(
    'adopts a %s with a label update (Name and Labels, never secret data), before service updates',
    async (kind) => {
      const { docker, requests } = fakeDocker(engine());
      const d = kind === 'config' ? objects.cfg! : objects.sec!;
      const adopt: Action = {
        op: 'update',
        kind,
        name: d.name,
        id: 'x1',
        version: 9,
        desired: d,
        changes: [],
        labelsOnly: true,
        adopt: true,
      };
      const results = await applyPlan({ docker }, plan([update(7), adopt]));
      expect(results.map((r) => r.ok)).toEqual([true, true]);
      const paths = requests.map((r) => `${r.method} ${r.path}`);
      expect(paths[0]).toBe(`POST /${kind}s/x1/update`);
      expect(requests[0]!.query).toEqual({ version: 9 });
      const body = requests[0]!.body as Record<string, unknown>;
      if (kind === 'secret') expect(body).toEqual({ Name: 's_sec-def', Labels: {} });
      else expect(body).toEqual({ Name: 's_cfg-abc', Labels: {}, Data: 'eA==' });
      expect(JSON.stringify(requests)).not.toContain(SECRET);
    },
  );

  it('passes X-Registry-Auth from the resolver on service create and update', async () => {
    const { docker, requests } = fakeDocker(engine());
    const seen: string[] = [];
    const registryAuth = (image: string) => (seen.push(image), new Sensitive('HDR'));
    await applyPlan({ docker, registryAuth }, plan([update(7)]));
    expect(seen).toEqual(['ghcr.io/org/web:1']);
    expect(requests.at(-1)!.registryAuth).toBe('HDR');
  });

  it('re-reads the version and retries on update out of sequence', async () => {
    let failures = 2;
    const outOfSeq = {
      status: 500,
      json: { message: 'rpc error: code = Unknown desc = update out of sequence' },
    };
    const { docker, requests } = fakeDocker(
      engine((r) => (r.path.endsWith('/update') && failures-- > 0 ? outOfSeq : undefined)),
    );
    const [res] = await applyPlan({ docker, retryDelayMs: 1 }, plan([update(7)]));
    expect(res!.ok).toBe(true);
    const updates = requests.filter((r) => r.path.endsWith('/update') || r.path === '/services/svc1');
    expect(updates.map((r) => `${r.method} ${r.path} ${JSON.stringify(r.query)}`)).toEqual([
      'POST /services/svc1/update {"version":7}',
      'GET /services/svc1 {}',
      'POST /services/svc1/update {"version":42}',
      'GET /services/svc1 {}',
      'POST /services/svc1/update {"version":42}',
    ]);
  });

  it('gives up with SK_ERR_UPDATE_CONFLICT after 5 retries', async () => {
    const { docker, requests } = fakeDocker(
      engine((r) =>
        r.path.endsWith('/update') ? { status: 409, json: { message: 'update out of sequence' } } : undefined,
      ),
    );
    const [res] = await applyPlan({ docker, retryDelayMs: 1 }, plan([update(7)]));
    expect(res!.ok).toBe(false);
    expect(isSwarmkeeperError(res!.error) && res!.error.code).toBe('SK_ERR_UPDATE_CONFLICT');
    expect(res!.error!.message).toBe(
      'update service s_web: update out of sequence after 5 retries (the service keeps changing)',
    );
    expect(requests.filter((r) => r.path.endsWith('/update'))).toHaveLength(6);
  });

  it.each<[string, FakeReply]>([
    ['404', { status: 404, json: { message: 'no such service' } }],
    [
      '500 not found (Engine 20.10, network already gone)',
      { status: 500, json: { message: 'network abc not found' } },
    ],
  ])('treats %s on remove as success', async (_n, reply) => {
    const { docker } = fakeDocker(engine((r) => (r.method === 'DELETE' ? reply : undefined)));
    const results = await applyPlan({ docker }, plan([remove('service', 'a'), remove('network', 'b')]));
    expect(results.map((r) => r.ok)).toEqual([true, true]);
  });

  it('reports other remove errors with the docker message', async () => {
    const { docker } = fakeDocker(
      engine((r) =>
        r.method === 'DELETE'
          ? { status: 400, json: { message: 'config is in use by service x' } }
          : undefined,
      ),
    );
    const [res] = await applyPlan({ docker }, plan([remove('config', 'c1')]));
    expect(res!.error!.message).toBe('remove config n-c1: config is in use by service x (HTTP 400)');
  });

  it('finishes the failing phase, skips later phases, and never leaks secret data in errors', async () => {
    const { docker, requests } = fakeDocker(
      engine((r) =>
        r.path === '/secrets/create'
          ? {
              status: 409,
              json: { message: 'rpc error: code = AlreadyExists desc = secret s_sec-def already exists' },
            }
          : undefined,
      ),
    );
    const actions = [
      create(objects.sec!),
      create(objects.net!),
      create(objects.svc!),
      remove('config', 'old'),
    ];
    const results = await applyPlan({ docker }, plan(actions));
    expect(results.map((r) => r.ok)).toEqual([false, true, false, false]);
    expect(results[0]!.error!.message).toBe(
      'create secret s_sec-def: rpc error: code = AlreadyExists desc = secret s_sec-def already exists (HTTP 409)',
    );
    expect(isSwarmkeeperError(results[0]!.error) && results[0]!.error.code).toBe('SK_ERR_DOCKER_API');
    expect(results[2]!.error!.message).toBe(
      'skipped create service s_web: not attempted because create secret s_sec-def failed in phase create',
    );
    expect(results.map((r) => JSON.stringify(r.error ?? '')).join()).not.toContain(SECRET);
    expect(requests.map((r) => r.path).sort()).toEqual(['/networks/create', '/secrets/create']);
  });

  it('bounds concurrency inside a phase', async () => {
    let inFlight = 0;
    let max = 0;
    const { docker } = fakeDocker(async () => {
      inFlight++;
      max = Math.max(max, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return { status: 204 };
    });
    const actions = Array.from({ length: 12 }, (_, i) => remove('config', `c${i}`));
    const results = await applyPlan({ docker }, plan(actions), { concurrency: 3 });
    expect(results.every((r) => r.ok)).toBe(true);
    expect(max).toBe(3);
  });
});
