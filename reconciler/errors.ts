/**
 * One error module with stable codes (the way fastify keeps FST_ERR_*), where every
 * error carries its retry policy (controller-runtime's TerminalError, Flux's
 * Stalling and Waiting):
 *  - terminal:  the input is wrong; retrying cannot help. Never requeued; status says why.
 *  - waiting:   a precondition is not met yet (a dependency is not Ready); requeue after a delay.
 *  - transient: the world failed (API down, conflict); requeue with exponential backoff.
 */
export type RetryPolicy = 'terminal' | 'waiting' | 'transient';

export interface ErrorDefinition {
  readonly code: string;
  readonly policy: RetryPolicy;
  /** Condition reason shown in status (CamelCase). */
  readonly reason: string;
}

export interface SkErrorOptions {
  cause?: unknown;
  requeueAfterMs?: number;
  keepsBackoff?: boolean;
}

export class SwarmkeeperError extends Error {
  readonly code: string;
  readonly policy: RetryPolicy;
  readonly reason: string;
  /** For waiting errors: how long until the next attempt. */
  readonly requeueAfterMs: number | undefined;
  /**
   * For waiting errors that are part of a retry (a deploy hook run again after its failure): the
   * wait is no success, so the work queue keeps the failure count and the next failure backs off further.
   */
  readonly keepsBackoff: boolean;

  constructor(def: ErrorDefinition, message: string, opts: SkErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SwarmkeeperError';
    this.code = def.code;
    this.policy = def.policy;
    this.reason = def.reason;
    this.requeueAfterMs = opts.requeueAfterMs;
    this.keepsBackoff = opts.keepsBackoff === true;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, policy: this.policy, reason: this.reason, message: this.message };
  }
}

function def(code: string, policy: RetryPolicy, reason: string): ErrorDefinition {
  return { code, policy, reason };
}

/** The stable codes. Never renumber or reuse a code: users grep logs and alert on them. */
export const Errors = {
  /** A YAML document does not parse. */
  YAML_SYNTAX: def('SK_ERR_YAML_SYNTAX', 'terminal', 'InvalidYAML'),
  /** A compose file uses a key swarmkeeper does not support, or a value of the wrong type. */
  COMPOSE_INVALID: def('SK_ERR_COMPOSE_INVALID', 'terminal', 'InvalidCompose'),
  /** `${VAR:?message}` with VAR unset, or a malformed interpolation. */
  COMPOSE_INTERPOLATION: def('SK_ERR_COMPOSE_INTERPOLATION', 'terminal', 'InterpolationFailed'),
  /** A reference inside the stack (network, volume, config, secret) names nothing. */
  COMPOSE_REFERENCE: def('SK_ERR_COMPOSE_REFERENCE', 'terminal', 'InvalidReference'),
  /** A custom resource fails schema validation. */
  RESOURCE_INVALID: def('SK_ERR_RESOURCE_INVALID', 'terminal', 'InvalidSpec'),
  /** A file referenced by a stack (env_file, config/secret file) cannot be read. */
  FILE_UNREADABLE: def('SK_ERR_FILE_UNREADABLE', 'terminal', 'FileUnreadable'),
  /**
   * A file of a source is refused: a link leading outside the source root, a device, FIFO or
   * socket, a link loop, or a file or source over its size limit.
   */
  FILE_REFUSED: def('SK_ERR_FILE_REFUSED', 'terminal', 'FileRefused'),
  /** A YAML document exceeds a parsing bound (size, nesting depth, alias expansion). */
  YAML_LIMIT: def('SK_ERR_YAML_LIMIT', 'terminal', 'YAMLLimitExceeded'),
  /** A file is not valid UTF-8 (or UTF-16 with a byte order mark). */
  ENCODING: def('SK_ERR_ENCODING', 'terminal', 'InvalidEncoding'),
  /** An object with the desired name exists and is not owned by this resource. */
  OWNERSHIP_CONFLICT: def('SK_ERR_OWNERSHIP_CONFLICT', 'terminal', 'OwnershipConflict'),
  /** Two sources claim the same resource. */
  SOURCE_CONFLICT: def('SK_ERR_SOURCE_CONFLICT', 'terminal', 'SourceConflict'),
  /** A change needs recreation, and recreatePolicy forbids it. */
  RECREATE_BLOCKED: def('SK_ERR_RECREATE_BLOCKED', 'terminal', 'RecreateBlocked'),
  /** A dependency is not Ready yet. */
  DEPENDENCY_NOT_READY: def('SK_ERR_DEPENDENCY_NOT_READY', 'waiting', 'DependencyNotReady'),
  /** The Docker Engine API failed or is unreachable. */
  DOCKER_API: def('SK_ERR_DOCKER_API', 'transient', 'DockerAPIError'),
  /** `update out of sequence` retries were exhausted. */
  UPDATE_CONFLICT: def('SK_ERR_UPDATE_CONFLICT', 'transient', 'UpdateConflict'),
  /** Swarm paused or rolled back a service update. */
  ROLLOUT_FAILED: def('SK_ERR_ROLLOUT_FAILED', 'transient', 'RolloutFailed'),
  /** A rollout did not converge within the deadline. */
  ROLLOUT_TIMEOUT: def('SK_ERR_ROLLOUT_TIMEOUT', 'transient', 'RolloutTimeout'),
  /** Docker or Redis connection settings are wrong (missing TLS material, bad DOCKER_HOST, bad --redis-url). */
  CONNECTION_CONFIG: def('SK_ERR_CONNECTION_CONFIG', 'terminal', 'ConnectionConfigInvalid'),
  /** A source dropped (nearly) everything; pruning is refused without allowEmpty. */
  PRUNE_BLOCKED: def('SK_ERR_PRUNE_BLOCKED', 'terminal', 'PruneBlocked'),
  /** A plugin asks for privileges its SwarmPlugin does not allow (spec.allowedPrivileges). */
  PRIVILEGES_REFUSED: def('SK_ERR_PRIVILEGES_REFUSED', 'terminal', 'PrivilegesRefused'),
  /** A plugin upgrade failed and was rolled back to the previous reference; not retried until the spec changes. */
  UPGRADE_ROLLED_BACK: def('SK_ERR_UPGRADE_ROLLED_BACK', 'terminal', 'RolledBack'),
  /** Demoting or removing a manager would leave the swarm's managers without a majority; re-checked later. */
  NODE_QUORUM: def('SK_ERR_NODE_QUORUM', 'waiting', 'QuorumWouldBeLost'),
  /** A SwarmNode's daemon is in another swarm (without spec.force), locked, or in a swarm error state. */
  NODE_SWARM_STATE: def('SK_ERR_NODE_SWARM_STATE', 'terminal', 'NodeSwarmState'),
  /** Tasks did not leave a draining node (or their replacements did not run) within the drain timeout. */
  NODE_DRAIN_TIMEOUT: def('SK_ERR_NODE_DRAIN_TIMEOUT', 'transient', 'DrainTimeout'),
  /** A volume migration failed (rolled back, or the rollback failed too); not retried until the spec changes. */
  MIGRATION_FAILED: def('SK_ERR_MIGRATION_FAILED', 'terminal', 'MigrationFailed'),
  /** The stack policy (per source or namespace) denies what a stack asks: bind mounts, capabilities, host ports/network. */
  POLICY_DENIED: def('SK_ERR_POLICY_DENIED', 'terminal', 'PolicyDenied'),
  /** A stack goes beyond a bound (replicas, sizes, durations, counts); the operator can raise it with --limits. */
  LIMIT_EXCEEDED: def('SK_ERR_LIMIT_EXCEEDED', 'terminal', 'LimitExceeded'),
  /** A deploy hook of the stack's revision is running: the rollout waits for it (requeued shortly). */
  HOOK_RUNNING: def('SK_ERR_HOOK_RUNNING', 'waiting', 'HookRunning'),
  /** A deploy hook failed (exit code and last log lines in the message): the rollout stops; run again with backoff. */
  HOOK_FAILED: def('SK_ERR_HOOK_FAILED', 'transient', 'HookFailed'),
  /** Anything unexpected. Retried with backoff. */
  INTERNAL: def('SK_ERR_INTERNAL', 'transient', 'InternalError'),
  /** A machine run did not finish within its deadline; its snapshot stays and the next reconcile resumes it. */
  MACHINE_DEADLINE: def('SK_ERR_MACHINE_DEADLINE', 'transient', 'MachineDeadline'),
  /**
   * A registry's API could not be read (down, refused, bad credentials) by an image update poll: the
   * image stays as it is and the stack's status carries a warning; never a reconcile error.
   */
  REGISTRY_UNREACHABLE: def('SK_ERR_REGISTRY_UNREACHABLE', 'transient', 'RegistryUnreachable'),
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorName = keyof typeof Errors;

export function skError(name: ErrorName, message: string, opts?: SkErrorOptions): SwarmkeeperError {
  return new SwarmkeeperError(Errors[name], message, opts);
}

/** The registry name of a coded error (e.g. to re-throw it with more context and the same code). */
export function errorName(e: unknown): ErrorName | undefined {
  if (!isSwarmkeeperError(e)) return undefined;
  return (Object.keys(Errors) as ErrorName[]).find((k) => Errors[k].code === e.code);
}

export function isSwarmkeeperError(e: unknown): e is SwarmkeeperError {
  return e instanceof SwarmkeeperError;
}

/** Wrap anything thrown into a SwarmkeeperError (unknown errors are transient). */
export function asSwarmkeeperError(e: unknown): SwarmkeeperError {
  if (isSwarmkeeperError(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new SwarmkeeperError(Errors.INTERNAL, message, { cause: e });
}

/** Several independent validation problems reported together; terminal when all are. */
export class AggregateSwarmkeeperError extends SwarmkeeperError {
  readonly errors: readonly SwarmkeeperError[];
  constructor(errors: readonly SwarmkeeperError[]) {
    const first = errors[0];
    if (!first) throw new Error('AggregateSwarmkeeperError needs at least one error');
    const policy: RetryPolicy = errors.every((e) => e.policy === 'terminal')
      ? 'terminal'
      : errors.some((e) => e.policy === 'transient')
        ? 'transient'
        : 'waiting';
    super({ code: first.code, policy, reason: first.reason }, errors.map((e) => e.message).join('\n'));
    this.errors = errors;
  }
}
