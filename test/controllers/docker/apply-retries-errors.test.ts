import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../../controllers/docker/apply.js';
import { Sensitive } from '../../../reconciler/model/sensitive.js';
import { isSwarmkeeperError } from '../../../reconciler/errors.js';
import { fakeDocker, type FakeReply } from '../../support/fake-docker.js';
import { SECRET, objects, create, update, remove, plan, engine } from './apply-harness.js';

describe('applyPlan', () => {
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
