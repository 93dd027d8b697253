import { describe, expect, it } from 'vitest';
import {
  applyLabelChange,
  isEmptyChange,
  nodeLabelChange,
  nodeOwnership,
  userLabels,
} from '../../machines/node-labels.js';

const OWNER = { 'swarmkeeper.io/owner': 'SwarmNode/default/n2', 'swarmkeeper.io/instance': 'i1' };
const change = (current: Record<string, string>, desired?: Record<string, string>) =>
  nodeLabelChange(current, desired, 'SwarmNode/default/n2', 'i1');

describe('node labels', () => {
  it.each([
    [
      'fresh node: owner + spec labels + the list of managed keys',
      {},
      { zone: 'a', disk: 'ssd' },
      {
        set: { ...OWNER, disk: 'ssd', zone: 'a', 'swarmkeeper.io/node-labels': 'disk,zone' },
        remove: [],
      },
    ],
    [
      'converged: nothing',
      { ...OWNER, zone: 'a', 'swarmkeeper.io/node-labels': 'zone' },
      { zone: 'a' },
      { set: {}, remove: [] },
    ],
    [
      'value changed',
      { ...OWNER, zone: 'a', 'swarmkeeper.io/node-labels': 'zone' },
      { zone: 'b' },
      { set: { zone: 'b' }, remove: [] },
    ],
    [
      'a managed label dropped from the spec is removed; hand-set labels stay',
      {
        ...OWNER,
        zone: 'a',
        disk: 'ssd',
        byhand: 'x',
        'swarmkeeper.io/node-labels': 'disk,zone',
      },
      { zone: 'a' },
      { set: { 'swarmkeeper.io/node-labels': 'zone' }, remove: ['disk'] },
    ],
    [
      'all spec labels dropped',
      { ...OWNER, zone: 'a', 'swarmkeeper.io/node-labels': 'zone' },
      {},
      {
        set: {},
        remove: ['swarmkeeper.io/node-labels', 'zone'],
      },
    ],
    [
      'labels unset in the spec: not managed (only owner labels)',
      { zone: 'a', 'swarmkeeper.io/node-labels': 'zone' },
      undefined,
      {
        set: OWNER,
        remove: [],
      },
    ],
    [
      'a hand-set label with a spec key is taken over',
      { zone: 'x' },
      { zone: 'a' },
      {
        set: { ...OWNER, zone: 'a', 'swarmkeeper.io/node-labels': 'zone' },
        remove: [],
      },
    ],
    [
      'swarmkeeper.io/ keys in the spec are ignored',
      {},
      { 'swarmkeeper.io/owner': 'evil', zone: 'a' },
      {
        set: { ...OWNER, zone: 'a', 'swarmkeeper.io/node-labels': 'zone' },
        remove: [],
      },
    ],
  ] as const)('%s', (_name, current, desired, expected) => {
    const c = change(current, desired);
    expect(c).toEqual(expected);
    const after = applyLabelChange(current, c);
    expect(isEmptyChange(change(after, desired))).toBe(true);
  });

  it.each([
    [{}, 'free'],
    [OWNER, 'mine'],
    [{ ...OWNER, 'swarmkeeper.io/instance': 'other' }, 'other'],
    [{ ...OWNER, 'swarmkeeper.io/owner': 'SwarmNode/default/x' }, 'other'],
    [{ 'swarmkeeper.io/instance': 'i1' }, 'other'],
    // Another owner's label without an instance label is still someone else's node (never adopted).
    [{ 'swarmkeeper.io/owner': 'SwarmNode/default/x' }, 'other'],
    // Our owner label alone (no instance): not provably ours.
    [{ 'swarmkeeper.io/owner': 'SwarmNode/default/n2' }, 'other'],
    [{ zone: 'a', 'swarmkeeper.io/node-labels': 'zone' }, 'free'],
  ] as const)('ownership of %j: %s', (labels, expected) => {
    expect(nodeOwnership(labels, 'SwarmNode/default/n2', 'i1')).toBe(expected);
  });

  it.each([
    ['nothing', { set: {}, remove: [] }, true],
    ['a removal only', { set: {}, remove: ['zone'] }, false],
    ['a set only', { set: { zone: 'a' }, remove: [] }, false],
    ['both', { set: { zone: 'a' }, remove: ['disk'] }, false],
  ] as const)('isEmptyChange: %s -> %s', (_n, c, empty) => {
    expect(isEmptyChange({ set: { ...c.set }, remove: [...c.remove] })).toBe(empty);
  });

  it('a spec that drops all labels removes them: the change is not empty', () => {
    const current = { ...OWNER, zone: 'a', disk: 'ssd', 'swarmkeeper.io/node-labels': 'disk,zone' };
    const c = change(current, {});
    expect(isEmptyChange(c)).toBe(false);
    expect(applyLabelChange(current, c)).toEqual(OWNER);
  });

  it('a managed key that is no longer on the node is not removed again', () => {
    const current = { ...OWNER, zone: 'a', 'swarmkeeper.io/node-labels': 'disk,zone' };
    expect(change(current, { zone: 'a' })).toEqual({
      set: { 'swarmkeeper.io/node-labels': 'zone' },
      remove: [],
    });
  });

  it('an empty bookkeeping label manages nothing', () => {
    const current = { ...OWNER, '': 'x', 'swarmkeeper.io/node-labels': '' };
    expect(change(current, {})).toEqual({ set: {}, remove: ['swarmkeeper.io/node-labels'] });
  });

  it('removals are sorted', () => {
    const current = { ...OWNER, b: '1', a: '1', c: '1', 'swarmkeeper.io/node-labels': 'c,b,a' };
    expect(change(current, {}).remove).toEqual(['a', 'b', 'c', 'swarmkeeper.io/node-labels']);
  });

  it('applying a change removes first, then sets', () => {
    expect(
      applyLabelChange({ zone: 'a', disk: 'ssd' }, { set: { zone: 'b' }, remove: ['zone', 'disk'] }),
    ).toEqual({
      zone: 'b',
    });
  });

  it('user labels hide the bookkeeping labels', () => {
    expect(userLabels({ ...OWNER, zone: 'a', 'swarmkeeper.io/node-labels': 'zone' })).toEqual({ zone: 'a' });
  });
});
