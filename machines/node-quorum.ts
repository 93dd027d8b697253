/**
 * May a manager be demoted or removed without putting the swarm's Raft quorum at risk? Pure.
 *
 * Raft background: N managers need a majority, floor(N/2)+1, to commit anything, so they tolerate
 * floor((N-1)/2) failures. A graceful demotion lowers N by one, but only once the membership change
 * is committed — and that commit needs a majority of the current N, while the manager being removed
 * may already be gone (it leaves, its daemon is restarted, the operation is interrupted half-way).
 *
 * The rule implemented here: **treat the manager being removed as failed; the managers that stay
 * and are reachable must still be a majority of the current N**:
 *
 *     allowed  <=>  reachable managers other than the removed one  >=  floor(N/2) + 1
 *
 * (equivalently: unreachable managers + the removed one, if it is reachable, <= floor((N-1)/2), the
 * failures N managers tolerate). Consequences:
 *  - 3 reachable managers: removing one leaves 2 of 3 (majority 2): allowed. Then N = 2: removing
 *    another leaves 1 of 2 (majority 2): refused — two managers tolerate no failure, so the change
 *    itself is unsafe (swarmkit would accept it, but a failure during it loses the swarm).
 *  - the last manager is never removed (0 of 1).
 *  - 5 managers, 1 unreachable: removing a reachable one leaves 3 of 5: allowed; with 2 unreachable,
 *    refused. Removing an unreachable manager counts it once: 5 with 2 down, removing a down one
 *    leaves 3 reachable of 5: allowed (it makes the swarm healthier).
 * Removing a worker never touches the quorum.
 */

export interface ManagerMember {
  id: string;
  hostname: string;
  /** ManagerStatus.Reachability === 'reachable'. */
  reachable: boolean;
}

export interface QuorumVerdict {
  allowed: boolean;
  /** Managers now (N). */
  managers: number;
  /** Reachable managers now. */
  reachable: number;
  /** Reachable managers once the node is gone. */
  remainingReachable: number;
  /** floor(N/2) + 1 */
  majority: number;
  /** Why (both when allowed and when refused); names the node and the counts. */
  message: string;
}

export function majorityOf(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** Failures N managers tolerate. */
export function faultTolerance(n: number): number {
  return n <= 0 ? 0 : Math.floor((n - 1) / 2);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The verdict on demoting or removing node `nodeId` (`hostname` for messages). */
export function quorumAfterRemoving(
  managers: readonly ManagerMember[],
  nodeId: string,
  hostname: string,
  action: 'remove' | 'demote' = 'remove',
): QuorumVerdict {
  const n = managers.length;
  const reachable = managers.filter((m) => m.reachable).length;
  const isManager = managers.some((m) => m.id === nodeId);
  const remainingReachable = managers.filter((m) => m.reachable && m.id !== nodeId).length;
  const majority = majorityOf(n);
  const base = { managers: n, reachable, remainingReachable, majority };
  if (!isManager)
    return { ...base, allowed: true, message: `${hostname} is not a manager: the quorum is not affected` };
  const allowed = remainingReachable >= majority;
  const counts =
    `${plural(remainingReachable, 'reachable manager')} of ${n} would remain; ` +
    `a majority of the ${n} current managers is ${majority}`;
  if (allowed)
    return {
      ...base,
      allowed,
      message: `${action === 'demote' ? 'demoting' : 'removing'} manager ${hostname} keeps quorum: ${counts}`,
    };
  const why =
    n === 1
      ? `it is the last manager`
      : `${counts} (the removed manager counts as a failure until the change is committed, and ` +
        `${plural(n, 'manager')} tolerate ${plural(faultTolerance(n), 'failure')}` +
        `${reachable < n ? `; ${n - reachable} already unreachable` : ''})`;
  return {
    ...base,
    allowed,
    message: `refusing to ${action} manager ${hostname}: the swarm would lose its Raft majority: ${why}`,
  };
}
