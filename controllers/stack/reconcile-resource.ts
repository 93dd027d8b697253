import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { desiredFor, type DesiredFor } from '../../reconciler/desired/desired-for.js';
import { SwarmkeeperError, asSwarmkeeperError, skError } from '../../reconciler/errors.js';
import { plan as makePlan } from '../../reconciler/plan/plan.js';
import { type FieldChange, type Plan, summarize } from '../../reconciler/plan/types.js';
import { driftChanges, hookStatuses, unallocatedNetworks } from '../../reconciler/status/outcome-parts.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import {
  type ReconcileOutcome,
  type ResourceStatus,
  type ServiceHealth,
  isConverged,
  nextStatus,
} from '../../reconciler/status/resource-status.js';
import type { SwarmView } from '../docker/swarm-snapshot.js';
import { fsFileReader } from '../sources/fs-file-reader.js';
import type { DesiredCache } from './desired-cache.js';
import { resolveSecretRefs } from './secret-refs.js';
import { SAFE_STACK_SETTINGS, type StackSettings } from './stack-settings.js';
import { noSecrets } from '../sources/dir-secrets.js';
import type {
  ActionResult,
  ApplyProgress,
  ImageResolver,
  ImageWriteBack,
  SecretResolver,
  SwarmPort,
} from '../ports.js';
import { followWrittenDigests, labelWrittenImages, writeBackImages } from './image-write-back.js';
import type { ImageUpdates } from './image-update-poller.js';
import { appliedImageChanges, resolveForPlan, updateImages } from './image-updates.js';
import type { ImageChange } from '../../reconciler/plan/image-update.js';
import { HOOK_POLL_MS, observeHooks, runHookStage, type StageInput, throwIfFailed } from './hook-stages.js';
import type { HookPhase } from '../../reconciler/compose/hooks.js';
import { type HookStep, openHooks, stagePlan, withoutSettledHooks } from '../../reconciler/plan/hooks.js';
import type { DesiredObject, ObservedState } from '../../reconciler/model/objects.js';
import { observeQuery, settled } from '../../reconciler/desired/observe-query.js';

export interface ReconcileDeps {
  /** The Swarm: observe, apply and the health of the resource's services. */
  swarm: SwarmPort;
  instanceId: string;
  /** The instance's key for secret names (loadSecretHashKey). */
  secretHashKey: Uint8Array;
  /** Root of the source the resource came from (relative files resolve inside it). */
  root: string;
  /** Where that root's files live on the Swarm nodes (relative bind sources resolve inside it). */
  bindRoot?: string;
  logger: Logger;
  /** Where spec.secretRefs values come from (default: none configured, a terminal error). */
  secrets?: SecretResolver;
  /**
   * A snapshot to observe from instead of Docker (a resync pass); ignored for queries it cannot
   * answer, and for health after an apply (which changed what it holds).
   */
  view?: SwarmView;
  now?: () => Date;
  /** Process variables, bounds and stack policy (default: no process variable, default bounds and policy). */
  stack?: StackSettings;
  /** Pins images to digests (spec.resolveImage); absent: no image is resolved, as with `never`. */
  images?: ImageResolver;
  /** Desired states computed before, by the content of what they read (absent: computed every time). */
  cache?: DesiredCache;
  /** The image update policies' registry facts (absent: every policy is off). */
  imageUpdates?: ImageUpdates;
  /** The image write-back of a source by name (a git source with writeBackBranch=); absent: off. */
  writeBackOf?: (source: string) => ImageWriteBack | undefined;
}

export interface ReconcileOptions {
  mode: 'plan' | 'apply';
  /** Overrides spec.prune (the CLI's --prune). */
  prune?: boolean;
  /** Overrides spec.adopt (the CLI's --adopt). */
  adopt?: boolean;
  /** Overrides spec.resolveImage (the CLI's --resolve-image). */
  resolveImage?: import('../../reconciler/plan/image-pin.js').ResolveImageMode;
  onProgress?: ApplyProgress;
  /** Runs a failed deploy hook again at once (the CLI's apply); otherwise after its failure was reported. */
  rerunFailedHooks?: boolean;
  /** Aborts the apply between Docker calls (e.g. the controller shutting down past its deadline). */
  signal?: AbortSignal;
  /**
   * The work queue's id of this reconcile: `deps.logger` already carries it (with kind and key) and
   * is used as it is. Absent (the CLI): an id is made and the logger gets kind, key and it.
   */
  reconcileId?: string;
  /**
   * false: the services' health is read only when the plan has deploy hooks (they wait on it). The
   * CLI's plan and apply print no status: without hooks the report's services and status then show
   * none, and the reconcile spares a Docker list call. Default true (the controller's status).
   */
  health?: boolean;
  /**
   * Observe by name once the status shows this desired state applied with no error since
   * (reconciler/desired/observe-query.ts). Default false: the CLI, and a resync pass.
   */
  narrowObserve?: boolean;
}

export interface ReconcileReport {
  key: string;
  reconcileId: string;
  /** Names of the Swarm objects the resource wants (for mapping Docker events back to it). */
  desiredNames: string[];
  /** True when the plan only put back out-of-band changes (the desired state itself did not change). */
  drift: boolean;
  plan?: Plan;
  results?: ActionResult[];
  error?: SwarmkeeperError;
  outcome: ReconcileOutcome;
  status: ResourceStatus;
  services: ServiceHealth[];
  /** What loading accepted with a warning: keys docker ignores (e.g. `build`), an unset variable. */
  warnings: string[];
  /** The image changes the update policies made (status images, an Event, a metric). */
  images: ImageChange[];
}

/**
 * Reconciles one resource in ordered steps: desired -> observe -> plan -> apply -> health,
 * and always computes its status at the end, whatever step failed (Flux's deferred patch).
 */
export async function reconcileResource(
  res: DesiredResource,
  opts: ReconcileOptions,
  deps: ReconcileDeps,
  prev?: ResourceStatus,
): Promise<ReconcileReport> {
  const reconcileId = opts.reconcileId ?? randomUUID().slice(0, 8);
  const log =
    opts.reconcileId === undefined
      ? deps.logger.child({ kind: res.kind, key: res.key, reconcileId })
      : deps.logger;
  const now = deps.now ?? (() => new Date());
  let d: DesiredFor | undefined;
  let p: Plan | undefined;
  let results: ActionResult[] | undefined;
  let error: SwarmkeeperError | undefined;
  let services: ServiceHealth[] = [];
  let desiredHash: string | undefined;
  let driftOnly = false;
  let detected: FieldChange[] = [];
  let imageWarnings: string[] = [];
  let images: ImageChange[] = [];
  let unallocated: string[] = [];
  // a job hook is no rollout: it never counts as progressing (its steps say how it runs)
  const hookNames = new Set<string>();
  const stageInput = (
    phase: HookPhase,
    plan: Plan,
    steps: HookStep[],
    desired: DesiredObject[],
    observed: ObservedState,
  ): StageInput => ({
    owner: res.key,
    phase,
    plan,
    steps,
    desired,
    observed,
    prev,
    rerunFailed: opts.rerunFailedHooks === true,
    apply: (pl, o) => deps.swarm.apply(pl, o),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    onResults: (r) => (results = [...(results ?? []), ...r]),
  });
  try {
    const secrets = await resolveSecretRefs(res, deps.secrets ?? noSecrets);
    const settings = deps.stack ?? SAFE_STACK_SETTINGS;
    const ctx = {
      instanceId: deps.instanceId,
      secretHashKey: deps.secretHashKey,
      env: settings.env,
      limits: settings.limits,
      policy: settings.policyFor(res),
      ...(secrets ? { secrets } : {}),
      ...(deps.bindRoot === undefined ? {} : { bindRoot: deps.bindRoot }),
    };
    const root = deps.root;
    d = deps.cache
      ? deps.cache.desiredFor(res, ctx, { root, files: () => fsFileReader(root) })
      : desiredFor(res, { ...ctx, files: fsFileReader(root) });
    // once per change, not on every resync: the status keeps them (status.warnings)
    if (d.warnings.join('\n') !== (prev?.warnings ?? []).join('\n'))
      for (const w of d.warnings) log.warn({ warning: w }, 'stack warning');
    desiredHash = hashDesired(d);
    const narrow = opts.narrowObserve === true && !deps.view && settled(prev, desiredHash);
    const query = observeQuery(d, { instanceId: deps.instanceId, owner: res.key, narrow });
    const observed = deps.view?.observe(query) ?? (await deps.swarm.observe(query));
    unallocated = unallocatedNetworks(d.desired, observed.objects);
    // the image update policies decide from the last poll; then the digests this reconcile pins
    const writer = deps.writeBackOf?.(res.origin.source ?? '');
    const policed = writer ? followWrittenDigests(d.desired) : d.desired;
    const updated = updateImages(deps.imageUpdates, res.key, policed, observed.objects);
    const input = { mode: opts.resolveImage ?? d.policy.resolveImage, observed: observed.objects };
    const newDesired = prev?.desiredHash !== desiredHash;
    const prevWarnings = prev?.warnings ?? [];
    const pinned = await resolveForPlan(
      deps.images,
      updated,
      { ...input, newDesired, prevWarnings },
      log,
      opts.signal,
    );
    imageWarnings = pinned.warnings;
    const resolutions = pinned.resolutions;
    const objects = writer ? labelWrittenImages(d.desired, updated.objects, resolutions) : updated.objects;
    p = makePlan({ ...d.desired, objects }, observed, {
      instanceId: deps.instanceId,
      prune: opts.prune ?? d.policy.prune,
      adopt: opts.adopt ?? d.policy.adopt,
      recreatePolicy: d.policy.recreatePolicy,
      configRetention: d.policy.configRetention,
      ignore: d.policy.ignore,
      // none resolved ({}) plans as none asked: an observed pin of the desired tag is kept
      images: resolutions,
      ...(deps.cache ? { stamps: deps.cache.stamps, unchanged: deps.cache.unchanged } : {}),
    });
    // deploy hooks of the revision: settled hooks are never touched (plan/hooks.ts)
    const steps = await observeHooks(deps.swarm, d.desired.objects, observed);
    if (steps.length > 0) p = { ...withoutSettledHooks(p, steps), hooks: steps };
    for (const st of steps) hookNames.add(st.service);
    log.debug({ summary: summarize(p) }, 'planned');
    // The desired state did not change since it was last applied, yet the plan is not empty:
    // someone changed the Swarm out of band.
    // (an image update policy's change is no drift)
    driftOnly =
      prev?.desiredHash === desiredHash &&
      p.actions.length > 0 &&
      !p.actions.some((a) => updated.decided.has(a.name));
    const deploy = stagePlan(p, steps, 'deploy'); // the plan without the hooks not yet run
    if (driftOnly && d.policy.driftPolicy === 'detect') {
      detected = driftChanges(p);
      log.info({ drift: detected.map((c) => c.path) }, 'drift detected (driftPolicy detect: not corrected)');
    } else if (opts.mode === 'apply' && openHooks(steps, 'pre-deploy').length > 0) {
      await runHookStage(stageInput('pre-deploy', p, steps, d.desired.objects, observed));
    } else if (opts.mode === 'apply' && deploy.actions.length > 0) {
      results = await deps.swarm.apply(deploy, {
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      images = appliedImageChanges(
        deps.imageUpdates,
        updated,
        d.desired,
        observed.objects,
        resolutions,
        results,
        now(),
      );
      throwIfFailed(results);
      log.info({ summary: summarize(p) }, 'applied');
      if (writer)
        imageWarnings.push(...(await writeBackImages(writer, res, d, updated.objects, images, log)));
    }
    services =
      opts.health === false && hookNames.size === 0
        ? []
        : deps.view && !results
          ? deps.view.health(res.key)
          : ((
              await deps.swarm.health({
                instanceId: deps.instanceId,
                owner: res.key,
                ...(query.ownedByName && query.namePrefixes ? { namePrefixes: query.namePrefixes } : {}),
              })
            ).get(res.key) ?? []);
    // post-deploy hooks once every other service converged, observed by a reconcile that wrote
    // nothing (right after an update, health may not show the rollout yet)
    const post = opts.mode === 'apply' && detected.length === 0 ? openHooks(steps, 'post-deploy') : [];
    if (post.length > 0 && (results?.length ?? 0) > 0)
      throw skError(
        'HOOK_RUNNING',
        `${res.key}: waiting for the rollout to converge before the post-deploy ${post.length === 1 ? 'hook' : 'hooks'} ${post.map((h) => h.service).join(', ')}`,
        { requeueAfterMs: HOOK_POLL_MS },
      );
    if (post.length > 0 && services.every((h) => isConverged(h) || hookNames.has(h.name)))
      await runHookStage(stageInput('post-deploy', p, steps, d.desired.objects, observed));
  } catch (e) {
    error = asSwarmkeeperError(e);
    if (error.policy === 'waiting')
      log.info({ code: error.code, reason: error.message }, 'reconcile waiting');
    else log.warn({ code: error.code, policy: error.policy, err: error }, 'reconcile failed');
  }
  const outcome: ReconcileOutcome = {
    applied: opts.mode === 'apply' && !error && detected.length === 0,
    ...(desiredHash ? { desiredHash } : {}),
    ...(detected.length > 0 ? { drift: detected } : {}),
    services,
    progressing: services.filter((s) => !isConverged(s) && !hookNames.has(s.name)).map((s) => s.name),
    ...(unallocated.length > 0 ? { unallocatedNetworks: unallocated } : {}),
    ...(res.generation !== undefined ? { generation: res.generation } : {}),
    ...(res.origin.revision ? { revision: res.origin.revision } : {}),
    ...(p ? { plan: summarize(p), blocked: p.blocked, hooks: hookStatuses(p) } : {}),
    ...(error ? { error } : {}),
    ...(images.length > 0 ? { images } : {}),
    ...(d?.desired.warnings || imageWarnings.length > 0
      ? { warnings: [...(d?.desired.warnings ?? []), ...imageWarnings] }
      : {}),
  };
  const status = nextStatus(prev, outcome, now());
  return {
    key: res.key,
    reconcileId,
    desiredNames: d?.desired.objects.map((o) => o.name) ?? [],
    drift: driftOnly,
    outcome,
    status,
    services,
    warnings: [...(d?.warnings ?? []), ...imageWarnings],
    images,
    ...(p ? { plan: p } : {}),
    ...(results ? { results } : {}),
    ...(error ? { error } : {}),
  };
}

/** By the objects' identity: a cached (frozen) desired state is hashed once, not on every resync. */
const desiredHashes = new WeakMap<object, string>();

function hashDesired(d: DesiredFor): string {
  const objects = d.desired.objects;
  let h = desiredHashes.get(objects);
  if (h === undefined) {
    h = createHash('sha256').update(JSON.stringify(objects)).digest('hex').slice(0, 16);
    if (Object.isFrozen(objects)) desiredHashes.set(objects, h);
  }
  return h;
}
