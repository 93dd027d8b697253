import { describe, expect, it } from 'vitest';
import {
  afterRenewFailure,
  candidateDelay,
  decide,
  expiresAt,
  isExpired,
  type LeaseAction,
  type LeaseRecord,
  leaseTiming,
  parseApiTime,
} from '../../../controllers/kube/kube-lease-decision.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const D = 15_000;
const held = (over: Partial<LeaseRecord> = {}): LeaseRecord => ({
  holder: 'b',
  durationMs: D,
  renewTimeMs: T0,
  acquireTimeMs: T0 - 60_000,
  transitions: 3,
  ...over,
});

describe('isExpired', () => {
  it.each<[string, LeaseRecord, number, boolean]>([
    ['renewed just now', held(), T0, false],
    ['exactly at renewTime + duration (not yet)', held(), T0 + D, false],
    ['1 ms after renewTime + duration', held(), T0 + D + 1, true],
    ["the record's own duration wins over the default", held({ durationMs: 4000 }), T0 + 4001, true],
    ['no duration on the record: the default', held({ durationMs: undefined }), T0 + D - 1, false],
    ['a zero duration counts as absent', held({ durationMs: 0 }), T0 + D - 1, false],
    ['holder without renewTime: expired', held({ renewTimeMs: undefined }), T0, true],
    ['released (no holder): not "expired", just free', held({ holder: '' }), T0 + 10 * D, false],
    ['renewTime in the future (skewed clock): not expired', held({ renewTimeMs: T0 + 5000 }), T0 + D, false],
  ])('%s', (_, lease, now, want) => {
    expect(isExpired(lease, now, D)).toBe(want);
  });

  it('expiresAt is renewTime + duration, undefined without a holder', () => {
    expect(expiresAt(held(), D)).toBe(T0 + D);
    expect(expiresAt(held({ holder: undefined }), D)).toBeUndefined();
  });
});

describe('decide', () => {
  it.each<[string, LeaseRecord | undefined, string, number, LeaseAction]>([
    ['no Lease: create it', undefined, 'a', T0, { type: 'create' }],
    ['held by me: renew', held({ holder: 'a' }), 'a', T0, { type: 'renew' }],
    [
      'held by me even when expired: renew (still mine)',
      held({ holder: 'a' }),
      'a',
      T0 + 2 * D,
      { type: 'renew' },
    ],
    [
      'held by another, live: wait until it expires',
      held(),
      'a',
      T0 + 1000,
      { type: 'wait', holder: 'b', expiresAtMs: T0 + D },
    ],
    ['held by another, expired: take over', held(), 'a', T0 + D + 1, { type: 'takeover', transitions: 4 }],
    [
      'released (empty holder): take over at once',
      held({ holder: '' }),
      'a',
      T0,
      { type: 'takeover', transitions: 4 },
    ],
    [
      'released (no holder field): take over',
      held({ holder: undefined }),
      'a',
      T0,
      { type: 'takeover', transitions: 4 },
    ],
    [
      'no transitions yet: the first takeover is 1',
      held({ transitions: undefined }),
      'a',
      T0 + D + 1,
      { type: 'takeover', transitions: 1 },
    ],
    [
      'holder without renewTime: take over',
      held({ renewTimeMs: undefined }),
      'a',
      T0,
      { type: 'takeover', transitions: 4 },
    ],
  ])('%s', (_, lease, me, now, want) => {
    expect(decide(lease, me, now, D)).toEqual(want);
  });
});

describe('candidateDelay', () => {
  const wait = (expiresAtMs: number): LeaseAction => ({ type: 'wait', holder: 'b', expiresAtMs });
  it.each<[string, LeaseAction, number, number]>([
    ['far from expiry: the retry period', wait(T0 + D), T0, 5000],
    ['expiring sooner than the retry period: just after expiry', wait(T0 + 1000), T0, 1025],
    ['already expired (clock moved): the minimum', wait(T0 - 1000), T0, 50],
    ['any other action: the minimum (act again at once)', { type: 'create' }, T0, 50],
  ])('%s', (_, action, now, want) => {
    expect(candidateDelay(action, now, 5000)).toBe(want);
  });
});

describe('afterRenewFailure', () => {
  it.each<[string, number, 'retry' | 'stepDown']>([
    ['right after a renewal: retry', 1000, 'retry'],
    ['just before the deadline: retry', 9999, 'retry'],
    ['at the deadline: step down', 10_000, 'stepDown'],
    ['past it: step down', 14_000, 'stepDown'],
  ])('%s', (_, sinceRenew, want) => {
    expect(afterRenewFailure(T0 + sinceRenew, T0, 10_000)).toBe(want);
  });
});

describe('leaseTiming', () => {
  it.each<[number, ReturnType<typeof leaseTiming>]>([
    [
      15_000,
      { durationSeconds: 15, durationMs: 15_000, renewEveryMs: 5000, renewDeadlineMs: 10_000, retryMs: 5000 },
    ],
    [
      4000,
      { durationSeconds: 4, durationMs: 4000, renewEveryMs: 1333, renewDeadlineMs: 2666, retryMs: 1333 },
    ],
    [
      2500,
      { durationSeconds: 3, durationMs: 3000, renewEveryMs: 1000, renewDeadlineMs: 2000, retryMs: 1000 },
    ],
    [0, { durationSeconds: 1, durationMs: 1000, renewEveryMs: 333, renewDeadlineMs: 666, retryMs: 333 }],
  ])('%i ms', (ms, want) => {
    expect(leaseTiming(ms)).toEqual(want);
  });
});

describe('parseApiTime', () => {
  it.each<[string, unknown, number | undefined]>([
    ['MicroTime string', '2026-01-01T00:00:00.123456Z', T0 + 123],
    ['Time string', '2026-01-01T00:00:00Z', T0],
    ['Date', new Date(T0), T0],
    ['empty', '', undefined],
    ['garbage', 'soon', undefined],
    ['invalid Date', new Date('x'), undefined],
    ['undefined', undefined, undefined],
    ['a number is not an API time', T0, undefined],
  ])('%s', (_, v, want) => {
    expect(parseApiTime(v)).toBe(want);
  });
});
