/**
 * An image update poller over a fake registry, for unit tests: the registry's answers are set by
 * the test, every question is recorded, and `hold` keeps the next digest answers until released
 * (or failed). Enqueued stacks, poll counts and log lines are recorded.
 */
import { ImageUpdatePoller, type ImageWatch } from '../../../controllers/stack/image-update-poller.js';
import type { ImageResolver, RegistryTags } from '../../../controllers/ports.js';
import { memoryLogger } from './reconcile-world.js';

export const D1 = `sha256:${'1'.repeat(64)}`;
export const D2 = `sha256:${'2'.repeat(64)}`;
export const APP: ImageWatch = { image: 'reg:5000/app:1', policy: { kind: 'digest' } };
export const OTHER: ImageWatch = { image: 'reg:5000/other:1', policy: { kind: 'digest' } };
export const SEM: ImageWatch = { image: 'reg:5000/app:1.2.1', policy: { kind: 'semver', range: '^1.2' } };

/** A registry whose answers the test sets; `hold` keeps the next digest answers until released. */
export function fakeRegistry() {
  const state = { digest: D1, tags: ['1.2.1'], asked: [] as string[] };
  const held: { resolve: () => void; reject: (e: Error) => void }[] = [];
  let hold = false;
  const resolver: ImageResolver = {
    resolveImage: async (image) => {
      state.asked.push(image);
      const answer = state.digest;
      if (hold) await new Promise<void>((resolve, reject) => held.push({ resolve, reject }));
      return { digest: answer, platforms: [] };
    },
  };
  const tags: RegistryTags = {
    listTags: async (repo) => {
      state.asked.push(repo);
      return [...state.tags];
    },
  };
  return {
    state,
    resolver,
    tags,
    hold: (on: boolean) => void (hold = on),
    release: () => held.splice(0).forEach((h) => h.resolve()),
    /** The answers held fail with `e` (the registry, or the abort of the request). */
    fail: (e: Error) => held.splice(0).forEach((h) => h.reject(e)),
    heldCount: () => held.length,
  };
}

/**
 * `retryMs`: pollNow's retry delays (absent key: none; undefined: the poller's default).
 * `tags: false`: no tags client (semver is not polled).
 */
export function poller(opts: { retryMs?: number[] | undefined; tags?: boolean } = {}) {
  const reg = fakeRegistry();
  const enqueued: string[] = [];
  const polls: string[] = [];
  const { logger, lines } = memoryLogger();
  const retry = 'retryMs' in opts ? opts.retryMs : [];
  const p = new ImageUpdatePoller({
    resolver: reg.resolver,
    ...(opts.tags === false ? {} : { tags: reg.tags }),
    intervalMs: 600_000,
    ...(retry ? { pollNowRetryMs: retry } : {}),
    enqueue: async (key) => void enqueued.push(key),
    logger,
    onPoll: (policy, result) => polls.push(`${policy} ${result}`),
  });
  return { p, reg, enqueued, polls, lines };
}

/** Waits (polling, with a deadline) until `cond` holds. */
export async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}

/** Lets every pending promise continuation run (one turn of the event loop). */
export const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
