import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Condition,
  getCondition,
  isTrue,
  removeCondition,
  sameConditions,
  setCondition,
} from '../../../reconciler/status/conditions.js';

const t0 = new Date('2026-01-01T00:00:00.123Z');
const t1 = new Date('2026-01-01T00:05:00.999Z');
const cond = (type: string, status: Condition['status'], extra: Partial<Condition> = {}): Condition => ({
  type,
  status,
  reason: 'R',
  message: '',
  lastTransitionTime: '2025-12-31T00:00:00Z',
  ...extra,
});

describe('setCondition', () => {
  it('adds a new condition stamped with the time, without milliseconds', () => {
    const cs = setCondition([], { type: 'Ready', status: 'True', reason: 'R', message: 'm' }, t0);
    expect(cs).toEqual([
      {
        type: 'Ready',
        status: 'True',
        reason: 'R',
        message: 'm',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ]);
  });

  it.each([
    ['the same status keeps the time, takes the new reason', 'True', '2025-12-31T00:00:00Z'],
    ['a changed status takes the new time', 'False', '2026-01-01T00:05:00Z'],
  ] as const)('%s', (_n, status, time) => {
    const before = [cond('Ready', 'True'), cond('Stalled', 'False')];
    const cs = setCondition(before, { type: 'Ready', status, reason: 'New', message: 'x' }, t1);
    expect(cs).toEqual([
      { type: 'Ready', status, reason: 'New', message: 'x', lastTransitionTime: time },
      cond('Stalled', 'False'),
    ]);
    expect(before).toEqual([cond('Ready', 'True'), cond('Stalled', 'False')]);
  });

  it('another type with the same status does not lend its time', () => {
    const cs = setCondition(
      [cond('Stalled', 'True')],
      { type: 'Ready', status: 'True', reason: 'R', message: '' },
      t1,
    );
    expect(getCondition(cs, 'Ready')?.lastTransitionTime).toBe('2026-01-01T00:05:00Z');
  });

  it('the result is sorted by type whatever the order of the input', () => {
    const types = ['Stalled', 'Drifted', 'Ready', 'Reconciling'];
    fc.assert(
      fc.property(fc.shuffledSubarray(types, { minLength: 4 }), fc.constantFrom(...types), (order, next) => {
        const cs = setCondition(
          order.map((t) => cond(t, 'False')),
          { type: next, status: 'True', reason: 'R', message: '' },
          t0,
        );
        expect(cs.map((c) => c.type)).toEqual([...types].sort());
      }),
    );
  });
});

describe('reading conditions', () => {
  const cs = [cond('Ready', 'True'), cond('Stalled', 'False')];

  it.each([
    ['Ready', true],
    ['Stalled', false],
    ['Drifted', false],
  ])('isTrue(%s) is %s', (type, want) => {
    expect(isTrue(cs, type)).toBe(want);
  });

  it('nothing is true or found in no conditions', () => {
    expect(isTrue(undefined, 'Ready')).toBe(false);
    expect(getCondition(undefined, 'Ready')).toBeUndefined();
  });

  it('removeCondition drops only that type', () => {
    expect(removeCondition(cs, 'Ready')).toEqual([cond('Stalled', 'False')]);
    expect(removeCondition(cs, 'Drifted')).toEqual(cs);
  });
});

describe('sameConditions', () => {
  it.each([
    [
      'only the times differ',
      [cond('Ready', 'True')],
      [cond('Ready', 'True', { lastTransitionTime: 'x' })],
      true,
    ],
    [
      'the order differs',
      [cond('A', 'True'), cond('B', 'False')],
      [cond('B', 'False'), cond('A', 'True')],
      true,
    ],
    ['none and empty', undefined, [], true],
    ['a status differs', [cond('Ready', 'True')], [cond('Ready', 'False')], false],
    ['a message differs', [cond('Ready', 'True')], [cond('Ready', 'True', { message: 'm' })], false],
    [
      'a generation differs',
      [cond('Ready', 'True')],
      [cond('Ready', 'True', { observedGeneration: 2 })],
      false,
    ],
    ['one is missing', [cond('Ready', 'True')], [], false],
  ] as const)('%s: %s', (_n, a, b, want) => {
    expect(sameConditions(a, b)).toBe(want);
    expect(sameConditions(b, a)).toBe(want);
  });
});
