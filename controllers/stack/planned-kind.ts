/**
 * The planned kinds (SwarmStack, SwarmNetwork) as a KindReconciler: desired -> observe -> plan ->
 * apply -> health (reconcile-resource.ts), with what the loop writes at the end (status, ownership
 * conflicts of the plan, the names for the owner index, the Events, the revision and drift metrics).
 */
import { Errors } from '../../reconciler/errors.js';
import type { Plan } from '../../reconciler/plan/types.js';
import { type ResourceStatus, startedStatus } from '../../reconciler/status/resource-status.js';
import type { SwarmView } from '../docker/swarm-snapshot.js';
import type {
  ImageResolver,
  ImageWriteBack,
  KindReconciler,
  KindStatus,
  OwnershipConflict,
  ResourceEvent,
  SecretResolver,
  SwarmPort,
} from '../ports.js';
import { DesiredCache } from './desired-cache.js';
import { reconcileResource } from './reconcile-resource.js';
import { imagesEvent, outcomeEvent, warningsEvent } from './stack-events.js';
import type { ImageUpdates } from './image-update-poller.js';
import type { StackSettings } from './stack-settings.js';

export interface PlannedKindDeps {
  swarm: SwarmPort;
  instanceId: string;
  /** The instance's key of secret names (loaded once, retried while it fails; secret-hash-key.ts). */
  secretHashKey: () => Promise<Uint8Array>;
  /** The resync pass's shared snapshot of the Swarm (read by resync reconciles only). */
  view: { get(): Promise<SwarmView | undefined> };
  /** Pins stack images to digests (spec.resolveImage); absent: none is resolved. */
  images?: ImageResolver;
  /** Values of secret references (spec.secretRefs): Kubernetes Secrets with --kube, or --secrets-dir. */
  secrets?: SecretResolver;
  /** Process variables stacks may read (--allow-env), bounds (--limits) and stack policies. */
  stack?: StackSettings;
  /** Requeue delay while a rollout is still progressing (default 2 s). */
  progressRequeueMs?: number;
  /** The kind's cache of desired states (default: its own, per process; desired-cache.ts). */
  cache?: DesiredCache;
  /** The image update policies' poller (absent: every policy is off). */
  imageUpdates?: ImageUpdates;
  /** The image write-back of a source by name (absent, or undefined for a source: off). */
  writeBackOf?: (source: string) => ImageWriteBack | undefined;
  /** Counts the image changes the policies made (the metric), by resource. */
  onImageChange?: (key: string) => void;
}

const HOOK_CODES = new Set([Errors.HOOK_RUNNING.code, Errors.HOOK_FAILED.code]);

export function plannedKind(deps: PlannedKindDeps): KindReconciler {
  const cache = deps.cache ?? new DesiredCache();
  return {
    async reconcile(res, ctx) {
      const prev = ctx.prev;
      // A new generation: say so before the (possibly long) apply, so the status shows
      // Reconciling=True for it even when the apply converges at once.
      const gen = res.generation;
      const reconciling = prev?.conditions.find((c) => c.type === 'Reconciling');
      let prevForReconcile: ResourceStatus | undefined = prev;
      if (
        gen !== undefined &&
        prev?.observedGeneration !== gen &&
        !(reconciling?.status === 'True' && reconciling.observedGeneration === gen)
      ) {
        prevForReconcile = startedStatus(prev, gen, new Date());
        await ctx.progress(prevForReconcile as KindStatus);
      }
      // A resync run reads the pass-wide snapshot (0 Docker calls when converged); others observe.
      const view = ctx.via === 'resync' ? await deps.view.get() : undefined;
      const r = await reconcileResource(
        res,
        // a resync observes by label (or from its snapshot): it finds what a narrow observe cannot
        {
          mode: 'apply',
          signal: ctx.signal,
          reconcileId: ctx.reconcileId,
          narrowObserve: ctx.via !== 'resync',
        },
        {
          swarm: deps.swarm,
          instanceId: deps.instanceId,
          secretHashKey: await deps.secretHashKey(),
          root: ctx.root,
          ...(ctx.bindRoot === undefined ? {} : { bindRoot: ctx.bindRoot }),
          logger: ctx.log,
          ...(view ? { view } : {}),
          ...(deps.images ? { images: deps.images } : {}),
          ...(deps.secrets ? { secrets: deps.secrets } : {}),
          ...(deps.stack ? { stack: deps.stack } : {}),
          ...(deps.imageUpdates ? { imageUpdates: deps.imageUpdates } : {}),
          ...(deps.writeBackOf ? { writeBackOf: deps.writeBackOf } : {}),
          cache,
        },
        prevForReconcile,
      );
      const events = [
        outcomeEvent(res.key, r.plan, r.results, r.error, r.drift),
        warningsEvent(res.key, prev?.warnings, r.warnings),
        imagesEvent(res.key, r.images),
      ].filter((e): e is ResourceEvent => e !== undefined);
      for (let i = 0; i < r.images.length; i++) deps.onImageChange?.(res.key);
      const progressing = (r.outcome.progressing?.length ?? 0) > 0;
      const driftDetected = (r.outcome.drift?.length ?? 0) > 0;
      return {
        status: r.status as KindStatus,
        ...(r.error ? { error: r.error } : {}),
        ...(!r.error && progressing ? { requeueAfterMs: deps.progressRequeueMs ?? 2000 } : {}),
        // it may have written (even when the apply failed or was aborted half-way)
        // (not a reconcile that only found its deploy hooks still running or failed, nor one that
        // only reported drift (driftPolicy detect): those wrote nothing)
        wroteSwarm:
          r.plan !== undefined &&
          r.plan.actions.length > 0 &&
          !(r.results === undefined && (driftDetected || HOOK_CODES.has(r.error?.code ?? ''))),
        desiredNames: r.desiredNames,
        ...(r.plan ? { conflicts: planConflicts(r.plan) } : {}),
        events,
        applied: {
          revision: r.status.lastAppliedRevision,
          driftDetected,
          driftCorrected: r.drift && r.results !== undefined,
        },
      };
    },
  };
}

/** The plan's changes blocked because another owner holds the object. */
function planConflicts(plan: Plan): OwnershipConflict[] {
  return plan.blocked
    .filter((b) => b.code === 'SK_ERR_OWNERSHIP_CONFLICT')
    .map((b) => ({ object: `${b.kind} ${b.name}`, message: b.message }));
}
