import { describe, expect, it } from 'vitest';
import { reconcileResource } from '../../../controllers/stack/reconcile-resource.js';
import { skError } from '../../../reconciler/errors.js';
import { getCondition } from '../../../reconciler/status/conditions.js';
import { converged, starting, stackRes, svc, world } from './reconcile-world.js';

// What a reconcile writes: the status (conditions, generation, revision, services, warnings), the
// report (names, plan, results) and the log lines that say what it did.

const web = stackRes({ web: svc('web:1') });

describe('reconcileResource: status', () => {
  it('a converged apply: Ready for the generation, revision and desired hash recorded', async () => {
    const w = world();
    w.setHealth([converged('app_web')]);
    const res = stackRes(
      { web: svc('web:1') },
      { generation: 4, origin: { file: 'app.yaml', revision: 'abc123' } },
    );
    const now = new Date('2100-02-03T04:05:06Z');
    const r = await reconcileResource(res, { mode: 'apply' }, { ...w.deps, now: () => now });
    expect(r.error).toBeUndefined();
    expect(r.outcome.applied).toBe(true);
    expect(r.outcome.generation).toBe(4);
    expect(r.status.observedGeneration).toBe(4);
    expect(getCondition(r.status.conditions, 'Ready')).toMatchObject({
      status: 'True',
      message: '1 service converged',
      observedGeneration: 4,
    });
    expect(r.status.lastAppliedRevision).toBe('abc123');
    expect(r.status.lastAppliedAt).toBe(now.toISOString());
    expect(r.status.desiredHash).toMatch(/^[0-9a-f]{16}$/);
    expect(r.status.services).toStrictEqual([converged('app_web')]);
    expect(r.desiredNames).toStrictEqual(['app_default', 'app_web']);
    expect(w.healthQueries).toStrictEqual([{ instanceId: 'i1', owner: 'SwarmStack/default/app' }]);
    expect(r.plan).not.toHaveProperty('hooks');
    expect(r.outcome.hooks).toStrictEqual([]);
  });

  it('without a generation or revision, none is written', async () => {
    const w = world();
    const r = await reconcileResource(web, { mode: 'apply' }, w.deps);
    expect(r.outcome).not.toHaveProperty('generation');
    expect(r.outcome).not.toHaveProperty('revision');
    expect(r.status).not.toHaveProperty('observedGeneration');
    expect(r.status).not.toHaveProperty('lastAppliedRevision');
    expect(r.outcome).not.toHaveProperty('warnings');
  });

  it('a service still starting is progressing: Ready=False Progressing, Reconciling', async () => {
    const w = world();
    w.setHealth([converged('app_db'), starting('app_web')]);
    const r = await reconcileResource(web, { mode: 'apply' }, w.deps);
    expect(r.outcome.progressing).toStrictEqual(['app_web']);
    expect(getCondition(r.status.conditions, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'Progressing',
      message: 'waiting for app_web to converge',
    });
    expect(getCondition(r.status.conditions, 'Reconciling')?.status).toBe('True');
  });

  it("a network the Swarm has not allocated is named in the Ready message while the stack's tasks wait", async () => {
    const w = world();
    await reconcileResource(web, { mode: 'apply' }, w.deps);
    // as observe reports it: Driver and IPAM unknown (a subnet that overlaps another network's);
    // another stack's network in that state is none of this stack's business
    w.edit((s) => ({
      objects: [
        ...s.objects.map((o) => (o.kind === 'network' ? { ...o, unknownFields: ['Driver', 'IPAM'] } : o)),
        { kind: 'network', id: 'n9', name: 'other_default', labels: {}, spec: {}, unknownFields: ['Driver'] },
      ],
    }));
    w.setHealth([starting('app_web')]);
    const r = await reconcileResource(web, { mode: 'apply' }, w.deps);
    expect(r.plan?.actions).toStrictEqual([]);
    expect(r.outcome.unallocatedNetworks).toStrictEqual(['app_default']);
    expect(getCondition(r.status.conditions, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'Progressing',
      message: expect.stringMatching(
        /^waiting for app_web to converge; network app_default is not allocated by the Swarm yet /,
      ),
    });
  });

  it('a plan-mode reconcile applies nothing and records no desired hash', async () => {
    const w = world();
    const r = await reconcileResource(web, { mode: 'plan' }, w.deps);
    expect(w.applies).toStrictEqual([]);
    expect(r.outcome.applied).toBe(false);
    expect(r.status).not.toHaveProperty('desiredHash');
    expect(r.plan?.actions.map((a) => `${a.op} ${a.kind} ${a.name}`)).toStrictEqual([
      'create network app_default',
      'create service app_web',
    ]);
  });

  it('the observe query names every desired and external object, the stack namespace and its prefix', async () => {
    const w = world();
    const res = stackRes({ web: svc('web:1', { networks: ['ext'] }) }, { specExtra: { stackName: 'shop' } });
    (res.spec['compose'] as Record<string, unknown>)['networks'] = { ext: { external: true } };
    await reconcileResource(res, { mode: 'plan' }, w.deps);
    expect(w.observes).toStrictEqual([
      {
        instanceId: 'i1',
        owner: 'SwarmStack/default/app',
        names: { service: ['shop_web'], network: ['ext'] },
        stackNamespaces: ['shop'],
        namePrefixes: ['shop_'],
      },
    ]);
  });

  it('without externals the observe query names the desired objects only', async () => {
    const w = world();
    await reconcileResource(stackRes({ web: svc('web:1') }), { mode: 'plan' }, w.deps);
    expect(w.observes.map((q) => q.names)).toStrictEqual([
      { network: ['app_default'], service: ['app_web'] },
    ]);
  });

  it('a relative bind source resolves inside bindRoot', async () => {
    const w = world();
    const res = stackRes({ web: svc('web:1', { volumes: ['./data:/data'] }) });
    const r = await reconcileResource(res, { mode: 'plan' }, { ...w.deps, bindRoot: '/srv/app' });
    const create = r.plan?.actions.find((a) => a.op === 'create' && a.name === 'app_web');
    const spec =
      create?.op === 'create' ? (create.desired.spec as unknown as Record<string, unknown>) : undefined;
    expect(spec?.['TaskTemplate']).toMatchObject({
      ContainerSpec: { Mounts: [{ Type: 'bind', Source: '/srv/app/data', Target: '/data' }] },
    });
  });
});

describe('reconcileResource: apply', () => {
  it('gives the apply its progress callback and abort signal, and nothing when none', async () => {
    const w = world();
    const onProgress = () => undefined;
    const signal = new AbortController().signal;
    await reconcileResource(web, { mode: 'apply', onProgress, signal }, w.deps);
    await reconcileResource(stackRes({ web: svc('web:2') }), { mode: 'apply' }, w.deps);
    expect(w.applies).toStrictEqual([
      { actions: ['create network app_default', 'create service app_web'], onProgress, signal },
      { actions: ['update service app_web'] },
    ]);
  });

  it('a failed action is the error, with the results of the apply', async () => {
    const w = world();
    w.failApplyWith((plan) =>
      plan.actions.map((action) => ({
        action,
        ok: action.kind !== 'service',
        error: skError('DOCKER_API', 'boom'),
      })),
    );
    const r = await reconcileResource(web, { mode: 'apply' }, w.deps);
    expect(r.error).toMatchObject({ code: 'SK_ERR_DOCKER_API', message: 'boom' });
    expect(r.results?.map((x) => x.ok)).toStrictEqual([true, false]);
    expect(r.outcome.applied).toBe(false);
    expect(getCondition(r.status.conditions, 'Ready')).toMatchObject({ status: 'False', message: 'boom' });
    expect(w.lines.map((l) => l.msg)).not.toContain('applied');
    expect(w.lines.find((l) => l.msg === 'reconcile failed')).toMatchObject({
      level: 40,
      code: 'SK_ERR_DOCKER_API',
      policy: 'transient',
      err: expect.objectContaining({ message: 'boom' }),
    });
  });

  it('adopt from the options overrides the spec: a stack-deploy service is taken over', async () => {
    const w = world();
    await reconcileResource(web, { mode: 'apply' }, w.deps);
    w.edit((s) => ({
      objects: s.objects.map((o) => ({
        ...o,
        labels: Object.fromEntries(
          Object.entries(o.labels ?? {}).filter(([k]) => !k.startsWith('swarmkeeper.io/')),
        ),
      })),
    }));
    const refused = await reconcileResource(web, { mode: 'plan' }, w.deps);
    expect(refused.plan?.blocked.map((b) => b.code)).toContain('SK_ERR_OWNERSHIP_CONFLICT');
    const r = await reconcileResource(web, { mode: 'plan', adopt: true }, w.deps);
    expect(r.plan?.blocked).toStrictEqual([]);
  });
});

describe('reconcileResource: health: false (the CLI, which prints no status)', () => {
  const hook = { image: 'migrate:1', 'x-swarmkeeper': { hook: 'post-deploy' } };
  it.each([
    ['apply, no hooks: no health read, no services', 'apply' as const, stackRes({ web: svc('web:1') }), 0],
    ['plan, no hooks: no health read', 'plan' as const, stackRes({ web: svc('web:1') }), 0],
    [
      'apply with a deploy hook: health is read (the hook waits on it)',
      'apply' as const,
      stackRes({ web: svc('web:1'), notify: hook }),
      1,
    ],
    [
      'plan with a deploy hook: health is read',
      'plan' as const,
      stackRes({ web: svc('web:1'), notify: hook }),
      1,
    ],
  ])('%s', async (_, mode, res, reads) => {
    const w = world();
    w.setHealth([converged('app_web')]);
    const r = await reconcileResource(res, { mode, health: false }, w.deps);
    expect(w.healthQueries).toHaveLength(reads);
    expect(r.services).toStrictEqual(reads === 0 ? [] : [converged('app_web')]);
    // the plan and what was applied do not depend on it
    const full = world();
    full.setHealth([converged('app_web')]);
    const f = await reconcileResource(res, { mode }, full.deps);
    expect(r.plan).toStrictEqual(f.plan);
    expect(r.error?.code).toBe(f.error?.code);
    expect(w.applies.map((a) => a.actions)).toStrictEqual(full.applies.map((a) => a.actions));
  });
});
