import type { SourceSnapshot } from '../runtime/resource-store.js';

/**
 * A source of desired state: a directory, a git repository or the Kubernetes API.
 * It emits a full snapshot whenever its content may have changed; the controller diffs
 * snapshots, so a source never has to compute what changed.
 */
export interface Source {
  readonly name: string;
  start(emit: (snapshot: SourceSnapshot) => void): Promise<void>;
  /** Re-read now (webhook, `swarmkeeper sync`). */
  sync(): Promise<void>;
  stop(): Promise<void>;
}
