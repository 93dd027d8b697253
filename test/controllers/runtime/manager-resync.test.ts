import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { Manager, type ManagerParts } from '../../../controllers/runtime/manager.js';
import type { KeysProvider } from '../../../controllers/runtime/queue/index.js';

/** A Manager on fakes, started; returns the resync provider it registered and the epoch's bumps. */
async function started() {
  let provider: KeysProvider | undefined;
  const bump = vi.fn(async () => {});
  const parts = {
    sources: [],
    desired: { resyncKeys: async () => ['S/ns/a', 'S/ns/b'], keys: () => [] },
    queue: {
      registerResync: (p: KeysProvider) => void (provider = p),
      start: async () => {},
      enqueue: async () => {},
    },
    epoch: { bump },
    lease: { start: () => {} },
    logger: pino({ level: 'silent' }),
  } as unknown as ManagerParts;
  await new Manager(parts).start();
  bump.mockClear(); // the start-up pass's own bump
  return { provider: provider!, bump };
}

describe('Manager: the resync provider', () => {
  it.each([
    // a read that starts a pass (shard 0's claimer, or an unelected run) starts a new snapshot epoch;
    // a replica joining a pass another started reads the keys only (its bump would invalidate the
    // snapshots the others just built)
    [true, 1],
    [false, 0],
  ])('fresh %s: %d epoch bump(s), every key', async (fresh, bumps) => {
    const { provider, bump } = await started();
    expect(await provider({ fresh })).toEqual(['S/ns/a', 'S/ns/b']);
    expect(bump).toHaveBeenCalledTimes(bumps);
  });
});
