import { describe, expect, it } from 'vitest';
import { recordRemovals } from '../../../controllers/machine-runner/kind-status.js';
import type { ResourceEvent } from '../../../controllers/ports.js';

describe('recordRemovals', () => {
  const removed = [
    { name: 'data', hostname: 'n1' },
    { name: 'data', hostname: 'n2' },
  ];
  it.each<[string, readonly { name: string; hostname: string }[], ResourceEvent[]]>([
    [
      'one Normal Event listing each removal',
      removed,
      [
        {
          key: 'SwarmVolume/default/data',
          type: 'Normal',
          reason: 'Pruned',
          action: 'Delete',
          note: 'volume(s) removed: data on n1, data on n2',
        },
      ],
    ],
    ['none when nothing was removed', [], []],
  ])('%s', (_n, list, events) => {
    const got: ResourceEvent[] = [];
    recordRemovals(
      { record: (e) => got.push(e) },
      { key: 'SwarmVolume/default/data', reason: 'Pruned', action: 'Delete', note: 'volume(s) removed' },
      list,
    );
    expect(got).toEqual(events);
  });
});
