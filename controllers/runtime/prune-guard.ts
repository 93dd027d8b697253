import { type SwarmkeeperError, skError } from '../../reconciler/errors.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import type { SourceSnapshot } from '../ports.js';

export interface GuardVerdict {
  allowed: boolean;
  message?: string;
  error?: SwarmkeeperError;
  /** With a blocked prune: the new resources plus the previous ones that would have been dropped. */
  keep: DesiredResource[];
}

/**
 * The empty-source guard (Argo CD's allowEmpty lesson): a fetch that suddenly yields no
 * resources, or drops more than `maxFraction` of them, prunes nothing unless allowed.
 */
export class PruneGuard {
  constructor(
    private readonly maxFraction: number,
    private readonly allowEmpty: boolean,
  ) {}

  check(prev: SourceSnapshot | undefined, next: SourceSnapshot): GuardVerdict {
    const before = prev?.resources ?? [];
    const nextKeys = new Set(next.resources.map((r) => r.key));
    const dropped = before.filter((r) => !nextKeys.has(r.key));
    if (this.allowEmpty || before.length === 0 || dropped.length === 0)
      return { allowed: true, keep: next.resources };
    const emptied = next.resources.length === 0;
    const fraction = dropped.length / before.length;
    if (!emptied && fraction <= this.maxFraction) return { allowed: true, keep: next.resources };
    const message = emptied
      ? `${next.source} suddenly yields no resources (had ${before.length}); nothing is pruned without allowEmpty (--allow-empty)`
      : `${next.source} drops ${dropped.length} of ${before.length} resources (more than ${Math.round(this.maxFraction * 100)}%); nothing is pruned without --allow-empty`;
    return {
      allowed: false,
      message,
      error: skError('PRUNE_BLOCKED', message),
      keep: [...next.resources, ...dropped],
    };
  }
}
