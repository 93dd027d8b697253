/** Types of the volume migration machine (input, context, actor contracts, output). */
import type { StepFailure, StepPolicy } from './step-policy.js';

/** A swarm node as the migration needs it: what the spec said, and what the manager resolved. */
export interface MigrationNode {
  /** As written in the spec (hostname or node ID). */
  node: string;
  hostname: string;
  id: string;
}

export interface MigrationSource {
  volume: string;
  node: MigrationNode;
}

export interface MigrationTarget {
  volume: string;
  node: MigrationNode;
  /** Inline spec (`spec.target.spec`): create the volume when missing. Unset: spec.target.volumeRef. */
  create?: {
    driver?: string;
    driverOpts?: Record<string, string>;
    /** Includes the owner labels. */
    labels: Record<string, string>;
  };
  /** For messages: `spec.target.volumeRef default/data` or `spec.target.spec`. */
  origin: string;
}

/** Engine API mount (only the fields the migration reads or rewrites; the rest pass through). */
export interface EngineMount {
  Type?: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; DriverConfig?: unknown };
  [k: string]: unknown;
}

/** A consumer as found before anything changed: what rollback restores. */
export interface ConsumerRecord {
  service: string;
  id: string;
  /** Mode.Replicated.Replicas before the migration. */
  replicas: number;
  /** Its mounts of the source volume, as they were. */
  mounts: EngineMount[];
  /** Placement.Constraints as they were. */
  constraints: string[];
}

export type MigrationMode = 'migrate' | 'cancel';

export interface MigrationPolicy extends StepPolicy {
  /** How often scale-down/up look at the tasks. */
  taskPollIntervalMs: number;
}

export interface VolumeMigrationInput {
  /** `migrate`: the whole migration. `cancel`: only roll back what an interrupted run changed. */
  mode: MigrationMode;
  /** Resource key (messages, helper container names). */
  key: string;
  source: MigrationSource;
  target: MigrationTarget;
  /** Service names from spec.consumers; unset: the services that mount the source volume. */
  consumers?: string[];
  /** Services that cannot be consumers (swarmkeeper corrects them). */
  corrected?: CorrectedOwners;
  deleteSource: boolean;
  policy: MigrationPolicy;
  /** cancel: the consumers the interrupted run recorded. */
  recorded?: ConsumerRecord[];
  /** cancel: whether the interrupted run had started to switch mounts. */
  switchStarted?: boolean;
  /** cancel: why (e.g. `the SwarmVolumeMigration was deleted while Copying`). */
  cancelReason?: string;
}

export type StepName =
  | 'discover'
  | 'ensureTarget'
  | 'scaleDown'
  | 'measure'
  | 'copy'
  | 'verify'
  | 'switch'
  | 'scaleUp'
  | 'removeSource'
  | 'restoreMounts'
  | 'restoreReplicas';

export type MigrationOutcome = 'Succeeded' | 'RolledBack' | 'Failed' | 'Waiting';

/** Bytes (file content) and regular files. */
export interface Amount {
  bytes: number;
  files: number;
}

export interface VolumeMigrationContext extends VolumeMigrationInput {
  step: StepName;
  attempt: number;
  lastFailure?: StepFailure;
  /** Set by discover and persisted before anything is scaled. */
  recorded: ConsumerRecord[];
  targetCreated?: boolean;
  targetDriver?: string;
  total?: Amount;
  copied?: Amount;
  verified?: Amount;
  /** Mounts may have been switched: rollback restores them. */
  switchStarted: boolean;
  /** Consumers run on the target: nothing is rolled back any more. */
  completed: boolean;
  /** Why the migration rolled back. */
  failure?: string;
  /** deleteSource: why the source volume could not be removed (the migration still succeeded). */
  sourceRemovalFailure?: string;
  outcome?: MigrationOutcome;
  message?: string;
}

export interface VolumeMigrationOutput {
  outcome: MigrationOutcome;
  message: string;
  recorded: ConsumerRecord[];
  total?: Amount;
  copied?: Amount;
  verified?: Amount;
}

/**
 * Services swarmkeeper itself keeps as desired (owner label of this instance, owner resource with
 * driftPolicy correct): its drift correction would scale them back up mid-copy and put the source
 * mount back, so they cannot be consumers of a migration.
 */
export interface CorrectedOwners {
  instance: string;
  /** Owner keys (`Kind/namespace/name`) whose objects are corrected. */
  owners: string[];
}

export interface DiscoverInput {
  source: MigrationSource;
  consumers?: string[];
  corrected?: CorrectedOwners;
}
export interface EnsureTargetInput {
  target: MigrationTarget;
}
export interface EnsuredTarget {
  /** False only for a volumeRef whose volume is not on the node (yet). */
  exists: boolean;
  created: boolean;
  driver: string;
}
export interface ConsumersInput {
  consumers: ConsumerRecord[];
}
export interface ScaleUpInput {
  consumers: ConsumerRecord[];
  /** Wait for the tasks to run (forward); rollback only restores the spec. */
  wait: boolean;
}
export interface SourceInput {
  source: MigrationSource;
}
export interface CopyInput {
  source: MigrationSource;
  target: MigrationTarget;
  total?: Amount;
}
export interface SwitchInput {
  consumers: ConsumerRecord[];
  source: MigrationSource;
  target: MigrationTarget;
}
export interface RemoveSourceInput {
  source: MigrationSource;
  consumers: ConsumerRecord[];
}
