import { describe, expect, it } from 'vitest';
import { applyPlan, phaseOf } from '../../../controllers/docker/apply.js';
import type { ServiceSpec } from '../../../reconciler/model/engine-types.js';
import type { Action } from '../../../reconciler/plan/types.js';
import { fakeDocker } from '../../support/fake-docker.js';
import { SECRET, svcSpec, objects, create, update, remove, plan, engine } from './apply-harness.js';

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
});
