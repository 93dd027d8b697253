/** Drives plannedKind(...).reconcile with a fake loop context over the reconcile world. */
import type { KindReconcileContext, KindStatus } from '../../../controllers/ports.js';
import { type PlannedKindDeps, plannedKind } from '../../../controllers/stack/planned-kind.js';
import type { SwarmView } from '../../../controllers/docker/swarm-snapshot.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import { world } from './reconcile-world.js';

export function kindWorld(more: Partial<PlannedKindDeps> = {}) {
  const w = world();
  const progress: KindStatus[] = [];
  const viewGets: number[] = [];
  let view: SwarmView | undefined;
  const deps: PlannedKindDeps = {
    swarm: w.deps.swarm,
    instanceId: 'i1',
    secretHashKey: async () => w.deps.secretHashKey,
    view: {
      get: async () => {
        viewGets.push(1);
        return view;
      },
    },
    ...more,
  };
  const kind = plannedKind(deps);
  const reconcile = (
    res: DesiredResource,
    prev?: KindStatus,
    ctx: Partial<Pick<KindReconcileContext, 'via' | 'bindRoot' | 'signal'>> = {},
  ) =>
    kind.reconcile(res, {
      signal: new AbortController().signal,
      reconcileId: 'q-1',
      prev,
      log: w.deps.logger,
      root: '.',
      progress: async (s) => {
        progress.push(structuredClone(s));
      },
      resources: () => [],
      ...ctx,
    });
  return { ...w, kind, reconcile, progress, viewGets, setView: (v: SwarmView | undefined) => (view = v) };
}
