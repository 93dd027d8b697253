// The SwarmNetwork kind: one overlay network, reconciled through the planner like a stack (the
// planner's simulator stands in for the Engine here; the lab runs it in test/integration/).
import { describe, expect, it } from 'vitest';
import { swarmNetworkKind } from '../../../controllers/network/network-kind.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import { world } from '../stack/reconcile-world.js';

const res: DesiredResource = {
  key: 'SwarmNetwork/default/front',
  kind: 'SwarmNetwork',
  namespace: 'default',
  name: 'front',
  spec: { attachable: true },
  origin: { file: 'front.yaml' },
  baseDir: '.',
};

describe('SwarmNetwork kind', () => {
  it('creates its attachable overlay network and says Ready', async () => {
    const w = world();
    const kind = swarmNetworkKind({
      swarm: w.deps.swarm,
      instanceId: 'i1',
      secretHashKey: async () => w.deps.secretHashKey,
      view: { get: async () => undefined },
    });
    const r = await kind.reconcile(res, {
      signal: new AbortController().signal,
      reconcileId: 'q-1',
      prev: undefined,
      log: w.deps.logger,
      root: '.',
      progress: async () => undefined,
      resources: () => [],
    });
    expect(r.error).toBeUndefined();
    expect(w.applies.flatMap((a) => a.actions)).toStrictEqual(['create network front']);
    expect(r.status.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
  });
});
