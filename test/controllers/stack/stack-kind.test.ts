import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { KindReconcileContext } from '../../../controllers/ports.js';
import { swarmStackKind } from '../../../controllers/stack/stack-kind.js';
import { SwarmSimulator } from '../../../reconciler/plan/simulator.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import { simulatorSwarm } from './reconcile-world.js';

// The SwarmStack kind is the planned kind: a reconcile applies the stack's plan to the Swarm and
// tells what it did (the status, the Applied Event, the names it wants).

describe('swarmStackKind', () => {
  it('reconciles a stack: its objects created, Ready, an Applied Event', async () => {
    const sim = new SwarmSimulator();
    const swarm = simulatorSwarm(sim);
    const kind = swarmStackKind({
      swarm,
      instanceId: 'i1',
      secretHashKey: () => Promise.resolve(new TextEncoder().encode('stack-kind-test-key')),
      view: { get: () => Promise.resolve(undefined) },
    });
    const res: DesiredResource = {
      key: 'SwarmStack/default/app',
      kind: 'SwarmStack',
      namespace: 'default',
      name: 'app',
      spec: { compose: { services: { web: { image: 'app:1', deploy: { replicas: 0 } } } } },
      origin: { file: 'app.yaml' },
      baseDir: '.',
    };
    const ctx: KindReconcileContext = {
      signal: new AbortController().signal,
      reconcileId: 'r1',
      prev: undefined,
      log: pino({ level: 'silent' }),
      root: '.',
      progress: async () => undefined,
      resources: () => [],
    };
    const r = await kind.reconcile(res, ctx);
    expect(r.error).toBeUndefined();
    expect(
      sim
        .observed()
        .objects.map((o) => `${o.kind} ${o.name}`)
        .sort(),
    ).toStrictEqual(['network app_default', 'service app_web']);
    expect(r.status.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(r.events?.map((e) => `${e.type} ${e.reason} ${e.note}`)).toStrictEqual([
      'Normal Applied 2 created: create network app_default, create service app_web',
    ]);
  });
});
