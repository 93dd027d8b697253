/**
 * The skeleton every machine kind shares, written once: the resource parsed (invalid: an error
 * status and the error), `spec.suspend` honoured, then the kind's own look-ups (node endpoints,
 * swarm nodes, records) where any failure becomes an error status; and the live progress writes
 * of a run, chained so they land in order and never fail the reconcile.
 */
import type { Resource } from '../../reconciler/api/resource.js';
import { asSwarmkeeperError } from '../../reconciler/errors.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import type { KindReconcileContext, KindReconcileResult, KindStatus } from '../ports.js';
import { errorStatus, parseKind, suspendedStatus } from './kind-status.js';

export type Begun<R, L> = { kind: R; loaded: L; result?: undefined } | { result: KindReconcileResult };

/** What an error thrown by a step of a reconcile returns: the error status and the error. */
export function failedResult(
  ctx: Pick<KindReconcileContext, 'prev'>,
  e: unknown,
  now: Date,
  generation?: number,
): KindReconcileResult {
  const error = asSwarmkeeperError(e);
  return { status: errorStatus(ctx.prev, error, now, generation), error };
}

/**
 * parse -> (early: e.g. a finished migration) -> suspend -> load. Any step that throws gives the
 * error status; suspended gives the suspended status and changes nothing.
 */
export async function beginKindReconcile<R extends Resource & { spec: { suspend?: boolean } }, L>(
  res: DesiredResource,
  ctx: KindReconcileContext,
  now: () => Date,
  steps: { early?: (kind: R) => KindReconcileResult | undefined; load: (kind: R) => Promise<L> },
): Promise<Begun<R, L>> {
  const gen = res.generation;
  let kind: R;
  try {
    kind = parseKind<R>(res);
  } catch (e) {
    return { result: failedResult(ctx, e, now(), gen) };
  }
  const early = steps.early?.(kind);
  if (early !== undefined) return { result: early };
  if (kind.spec.suspend === true) return { result: { status: suspendedStatus(ctx.prev, now(), gen) } };
  try {
    return { kind, loaded: await steps.load(kind) };
  } catch (e) {
    return { result: failedResult(ctx, e, now(), gen) };
  }
}

/** Live status writes of a running reconcile, in order; a failed write is dropped (the final one counts). */
export function progressWrites(ctx: Pick<KindReconcileContext, 'progress'>) {
  let writes: Promise<void> = Promise.resolve();
  return {
    write(status: KindStatus): void {
      writes = writes.then(() => ctx.progress(status)).catch(() => undefined);
    },
    /** Resolves when every write so far has landed (or failed). */
    settled: (): Promise<void> => writes,
  };
}
