import type { DesiredResource } from '../../reconciler/source/resource.js';
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
  /**
   * A key the controller holds no desired state for (a replica that runs no informer, see
   * KubeSource): its resource as the source has it now, null when it is really gone, undefined
   * when the key is not this source's. Throws when the source cannot tell (API down).
   */
  lookup?(key: string): Promise<DesiredResource | null | undefined>;
  /**
   * Every resource of the source now, when its snapshot may not hold them all (a follower's
   * KubeSource lists them): for the periodic resync and the kind reconcilers' view of other kinds.
   */
  resources?(): Promise<DesiredResource[]>;
}
