import { describe, expect, it } from 'vitest';
import { faultTolerance, majorityOf, quorumAfterRemoving } from '../../machines/node-quorum.js';

/** `r` reachable, `u` unreachable; the first entry is the node removed (id M0) unless `worker`. */
function managers(shape: string) {
  return [...shape].map((c, i) => ({ id: `M${i}`, hostname: `m${i}`, reachable: c === 'r' }));
}

describe('quorum rule: the reachable managers that stay must be a majority of the current managers', () => {
  it.each([
    // shape, removed, allowed, remaining reachable, majority
    ['r', 'M0', false, 0, 1], // the last manager
    ['rr', 'M0', false, 1, 2], // 2 -> 1: two managers tolerate no failure
    ['ru', 'M1', false, 1, 2], // 2 with one down: no majority left either way
    ['rrr', 'M0', true, 2, 2], // 3 -> 2
    ['rru', 'M0', false, 1, 2], // 3 with one down: removing a reachable one
    ['rru', 'M2', true, 2, 2], // removing the down one is fine
    ['rrrr', 'M0', true, 3, 3],
    ['rrru', 'M0', false, 2, 3],
    ['rrrrr', 'M0', true, 4, 3],
    ['rrrru', 'M0', true, 3, 3],
    ['rrruu', 'M0', false, 2, 3],
    ['rrruu', 'M4', true, 3, 3],
    ['rrrrrrr', 'M0', true, 6, 4],
    ['rrrruuu', 'M0', false, 3, 4],
  ] as const)('%s removing %s: allowed=%s', (shape, id, allowed, remaining, majority) => {
    const v = quorumAfterRemoving(managers(shape), id, 'node-x');
    expect(v.allowed).toBe(allowed);
    expect(v.remainingReachable).toBe(remaining);
    expect(v.majority).toBe(majority);
    expect(v.message).toContain('node-x');
  });

  it('matches "the removed manager counts as one more failure" for every swarm up to 9 managers', () => {
    for (let n = 1; n <= 9; n++)
      for (let down = 0; down <= n; down++)
        for (const removeDown of [false, true]) {
          if (removeDown && down === 0) continue;
          if (!removeDown && down === n) continue;
          const shape = 'r'.repeat(n - down) + 'u'.repeat(down);
          const id = removeDown ? `M${n - 1}` : 'M0';
          const failures = down + (removeDown ? 0 : 1);
          const v = quorumAfterRemoving(managers(shape), id, 'x');
          expect(v.allowed, `${shape} removing ${id}`).toBe(failures <= faultTolerance(n));
        }
  });

  it('a worker does not affect the quorum', () => {
    expect(quorumAfterRemoving(managers('rr'), 'W1', 'w1')).toMatchObject({
      allowed: true,
      message: 'w1 is not a manager: the quorum is not affected',
    });
  });

  it('says why it refuses, with the counts', () => {
    expect(quorumAfterRemoving(managers('rru'), 'M0', 'sk-n3').message).toBe(
      'refusing to remove manager sk-n3: the swarm would lose its Raft majority: 1 reachable manager of 3 would remain; ' +
        'a majority of the 3 current managers is 2 (the removed manager counts as a failure until the change is committed, ' +
        'and 3 managers tolerate 1 failure; 1 already unreachable)',
    );
    expect(quorumAfterRemoving(managers('rrr'), 'M0', 'sk-n3').message).toBe(
      'removing manager sk-n3 keeps quorum: 2 reachable managers of 3 would remain; a majority of the 3 current managers is 2',
    );
    expect(quorumAfterRemoving(managers('rrr'), 'M0', 'sk-n3', 'demote').message).toBe(
      'demoting manager sk-n3 keeps quorum: 2 reachable managers of 3 would remain; a majority of the 3 current managers is 2',
    );
  });

  it.each([
    [0, 1, 0],
    [1, 1, 0],
    [2, 2, 0],
    [3, 2, 1],
    [4, 3, 1],
    [5, 3, 2],
    [7, 4, 3],
  ])('%i managers: majority %i, tolerate %i failures', (n, majority, tolerated) => {
    expect(majorityOf(n)).toBe(majority);
    expect(faultTolerance(n)).toBe(tolerated);
  });
});
