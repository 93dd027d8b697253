/**
 * Gives back the memory of a burst of work once the controller is idle again.
 *
 * V8 grows its young generation while a pass allocates fast (the start-up pass, a resync: up to
 * 2 x 64 MiB of semi-spaces by default on Node 24; `run` caps them at 2 x 8 MiB, cli/launch.ts)
 * and keeps it grown while the process idles: up to 16 MiB (128 MiB uncapped) of RSS held for
 * garbage. A young generation of 2 x 1 MiB for good (`--max-semi-space-size=1`) gives the same
 * memory back but doubles the CPU time of a resync pass (more scavenges, more objects promoted).
 * So the young generation keeps its size while work runs, and one full GC after the work ends
 * shrinks it. That GC is V8's `last-resort` flavor
 * (a full GC that reduces the footprint: it shrinks the young generation and frees the pages at
 * once). A `regular` full GC frees them too, but only ~10 s later through V8's memory reducer, and
 * not always. It pauses the process (~0.1 s on a quiet machine, up to ~0.8 s measured on a
 * loaded 2-CPU one), once per burst, while nothing else runs.
 *
 * Every `everyMs` the event-loop utilization of the last interval decides: at or above
 * `busyUtilization` the process is busy, and the next idle interval may collect; below it, with
 * the young generation at `minYoungBytes` or more, one GC runs. At most one GC per busy period, so
 * an idle process that cannot shrink further does not collect again and again.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

export type GcFlavor = 'regular' | 'last-resort';

export interface IdleGcDeps {
  /** Event-loop utilization (0..1) since the previous call. */
  utilization(): number;
  /** Bytes the young generation has committed now. */
  youngBytes(): number;
  /** A full, synchronous GC. */
  collect(flavor: GcFlavor): void;
  /** Told after each GC. */
  onCollected?(r: { youngBefore: number; youngAfter: number; ms: number }): void;
}

export interface IdleGcOptions {
  /** Utilization at or above which an interval counts as busy (default 0.1). */
  busyUtilization?: number;
  /** A young generation below this is left alone (default 4 MiB; its minimum is 1 MiB). */
  minYoungBytes?: number;
}

/** The decision, separate from the timer. */
export class IdleGc {
  #armed = true; // the start-up pass is the first burst
  readonly #busy: number;
  readonly #minYoung: number;

  constructor(
    private readonly deps: IdleGcDeps,
    opts: IdleGcOptions = {},
  ) {
    this.#busy = opts.busyUtilization ?? 0.1;
    this.#minYoung = opts.minYoungBytes ?? 4 * 2 ** 20;
  }

  /** One interval ended: returns whether it collected. */
  check(): boolean {
    if (this.deps.utilization() >= this.#busy) {
      this.#armed = true;
      return false;
    }
    const youngBefore = this.deps.youngBytes();
    if (!this.#armed || youngBefore < this.#minYoung) return false;
    this.#armed = false;
    const t0 = performance.now();
    this.deps.collect('last-resort');
    const youngAfter = this.deps.youngBytes();
    this.deps.onCollected?.({ youngBefore, youngAfter, ms: performance.now() - t0 });
    return true;
  }
}

type GcFunction = (o: { type: 'major'; execution: 'sync'; flavor: GcFlavor }) => void;
let gcFunction: GcFunction | undefined;

/**
 * V8's `gc()`, taken from a new context, so that the process's global `gc` stays undefined (a
 * library that sees `global.gc` may call it). The flag is switched off again after.
 */
export function majorGc(flavor: GcFlavor): void {
  if (!gcFunction) {
    v8.setFlagsFromString('--expose-gc');
    try {
      gcFunction = vm.runInNewContext('gc') as GcFunction;
    } finally {
      v8.setFlagsFromString('--no-expose-gc');
    }
  }
  gcFunction({ type: 'major', execution: 'sync', flavor });
}

export function youngGenerationBytes(): number {
  return v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

/** Checks every `everyMs` (unref'd timer) with the process's own measures. */
export function startIdleGc(
  everyMs: number,
  onCollected?: IdleGcDeps['onCollected'],
  opts?: IdleGcOptions,
): { stop(): void } {
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  const gc = new IdleGc(
    {
      utilization: () => {
        const now = performance.eventLoopUtilization();
        const u = performance.eventLoopUtilization(now, last).utilization;
        last = now;
        return u;
      },
      youngBytes: youngGenerationBytes,
      collect: majorGc,
      ...(onCollected ? { onCollected } : {}),
    },
    opts,
  );
  const timer = setInterval(() => gc.check(), everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
