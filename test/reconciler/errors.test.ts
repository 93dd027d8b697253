import { describe, expect, it } from 'vitest';
import {
  AggregateSwarmkeeperError,
  Errors,
  SwarmkeeperError,
  asSwarmkeeperError,
  errorName,
  isSwarmkeeperError,
  skError,
  type ErrorName,
} from '../../reconciler/errors.js';

describe('errors', () => {
  it('codes are unique and stable-looking', () => {
    const codes = Object.values(Errors).map((d) => d.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^SK_ERR_[A-Z_]+$/);
  });

  // The registry is a contract: users alert on the codes, status shows the reasons, the queue
  // retries by the policy. A code, policy or reason that changes must change this table too.
  const REGISTRY: [ErrorName, string, string, string][] = [
    ['YAML_SYNTAX', 'SK_ERR_YAML_SYNTAX', 'terminal', 'InvalidYAML'],
    ['COMPOSE_INVALID', 'SK_ERR_COMPOSE_INVALID', 'terminal', 'InvalidCompose'],
    ['COMPOSE_INTERPOLATION', 'SK_ERR_COMPOSE_INTERPOLATION', 'terminal', 'InterpolationFailed'],
    ['COMPOSE_REFERENCE', 'SK_ERR_COMPOSE_REFERENCE', 'terminal', 'InvalidReference'],
    ['RESOURCE_INVALID', 'SK_ERR_RESOURCE_INVALID', 'terminal', 'InvalidSpec'],
    ['FILE_UNREADABLE', 'SK_ERR_FILE_UNREADABLE', 'terminal', 'FileUnreadable'],
    ['FILE_REFUSED', 'SK_ERR_FILE_REFUSED', 'terminal', 'FileRefused'],
    ['YAML_LIMIT', 'SK_ERR_YAML_LIMIT', 'terminal', 'YAMLLimitExceeded'],
    ['ENCODING', 'SK_ERR_ENCODING', 'terminal', 'InvalidEncoding'],
    ['OWNERSHIP_CONFLICT', 'SK_ERR_OWNERSHIP_CONFLICT', 'terminal', 'OwnershipConflict'],
    ['SOURCE_CONFLICT', 'SK_ERR_SOURCE_CONFLICT', 'terminal', 'SourceConflict'],
    ['RECREATE_BLOCKED', 'SK_ERR_RECREATE_BLOCKED', 'terminal', 'RecreateBlocked'],
    ['DEPENDENCY_NOT_READY', 'SK_ERR_DEPENDENCY_NOT_READY', 'waiting', 'DependencyNotReady'],
    ['DOCKER_API', 'SK_ERR_DOCKER_API', 'transient', 'DockerAPIError'],
    ['UPDATE_CONFLICT', 'SK_ERR_UPDATE_CONFLICT', 'transient', 'UpdateConflict'],
    ['ROLLOUT_FAILED', 'SK_ERR_ROLLOUT_FAILED', 'transient', 'RolloutFailed'],
    ['ROLLOUT_TIMEOUT', 'SK_ERR_ROLLOUT_TIMEOUT', 'transient', 'RolloutTimeout'],
    ['CONNECTION_CONFIG', 'SK_ERR_CONNECTION_CONFIG', 'terminal', 'ConnectionConfigInvalid'],
    ['PRUNE_BLOCKED', 'SK_ERR_PRUNE_BLOCKED', 'terminal', 'PruneBlocked'],
    ['PRIVILEGES_REFUSED', 'SK_ERR_PRIVILEGES_REFUSED', 'terminal', 'PrivilegesRefused'],
    ['UPGRADE_ROLLED_BACK', 'SK_ERR_UPGRADE_ROLLED_BACK', 'terminal', 'RolledBack'],
    ['NODE_QUORUM', 'SK_ERR_NODE_QUORUM', 'waiting', 'QuorumWouldBeLost'],
    ['NODE_SWARM_STATE', 'SK_ERR_NODE_SWARM_STATE', 'terminal', 'NodeSwarmState'],
    ['NODE_DRAIN_TIMEOUT', 'SK_ERR_NODE_DRAIN_TIMEOUT', 'transient', 'DrainTimeout'],
    ['MIGRATION_FAILED', 'SK_ERR_MIGRATION_FAILED', 'terminal', 'MigrationFailed'],
    ['POLICY_DENIED', 'SK_ERR_POLICY_DENIED', 'terminal', 'PolicyDenied'],
    ['LIMIT_EXCEEDED', 'SK_ERR_LIMIT_EXCEEDED', 'terminal', 'LimitExceeded'],
    ['HOOK_RUNNING', 'SK_ERR_HOOK_RUNNING', 'waiting', 'HookRunning'],
    ['HOOK_FAILED', 'SK_ERR_HOOK_FAILED', 'transient', 'HookFailed'],
    ['INTERNAL', 'SK_ERR_INTERNAL', 'transient', 'InternalError'],
    ['MACHINE_DEADLINE', 'SK_ERR_MACHINE_DEADLINE', 'transient', 'MachineDeadline'],
    ['REGISTRY_UNREACHABLE', 'SK_ERR_REGISTRY_UNREACHABLE', 'transient', 'RegistryUnreachable'],
  ];

  it('the registry holds exactly the documented codes', () => {
    expect(Object.keys(Errors).sort()).toEqual(REGISTRY.map(([n]) => n).sort());
  });

  it.each(REGISTRY)('%s is %s, %s, reason %s', (name, code, policy, reason) => {
    const e = skError(name, 'msg');
    expect({ code: e.code, policy: e.policy, reason: e.reason }).toEqual({ code, policy, reason });
    expect(errorName(e)).toBe(name);
  });

  it('a coded error carries its message, cause, requeue delay and name, and serialises without the cause', () => {
    const cause = new Error('root');
    const e = skError('DEPENDENCY_NOT_READY', 'wait for db', { cause, requeueAfterMs: 5000 });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('SwarmkeeperError');
    expect(e.message).toBe('wait for db');
    expect(e.cause).toBe(cause);
    expect(e.requeueAfterMs).toBe(5000);
    expect(e.toJSON()).toEqual({
      code: 'SK_ERR_DEPENDENCY_NOT_READY',
      policy: 'waiting',
      reason: 'DependencyNotReady',
      message: 'wait for db',
    });
    expect(JSON.stringify(e)).not.toContain('root');
  });

  it('without a cause, none is set', () => {
    const e = skError('DOCKER_API', 'down');
    expect('cause' in e).toBe(false);
    expect(e.requeueAfterMs).toBeUndefined();
  });

  it.each([
    ['a plain Error', new Error('x')],
    ['a string', 'x'],
    ['an object with code', { code: 'SK_ERR_INTERNAL' }],
  ])('%s is not a coded error and has no registry name', (_n, e) => {
    expect(isSwarmkeeperError(e)).toBe(false);
    expect(errorName(e)).toBeUndefined();
  });

  it('a coded error with an unknown code has no registry name', () => {
    const e = new SwarmkeeperError({ code: 'SK_ERR_NOPE', policy: 'terminal', reason: 'Nope' }, 'x');
    expect(errorName(e)).toBeUndefined();
  });

  it.each([
    ['an Error', new Error('boom'), 'boom'],
    ['a string', 'boom', 'boom'],
    ['a number', 42, '42'],
  ])('wraps %s as a transient internal error with it as the cause', (_n, thrown, message) => {
    const e = asSwarmkeeperError(thrown);
    expect(e.code).toBe('SK_ERR_INTERNAL');
    expect(e.policy).toBe('transient');
    expect(e.message).toBe(message);
    expect(e.cause).toBe(thrown);
  });

  it('a coded error is passed through as it is', () => {
    const e = skError('COMPOSE_INVALID', 'x');
    expect(asSwarmkeeperError(e)).toBe(e);
  });

  it.each([
    [['COMPOSE_INVALID', 'COMPOSE_INVALID'], 'terminal'],
    [['COMPOSE_INVALID', 'DEPENDENCY_NOT_READY'], 'waiting'],
    [['DEPENDENCY_NOT_READY', 'DEPENDENCY_NOT_READY'], 'waiting'],
    [['COMPOSE_INVALID', 'DOCKER_API'], 'transient'],
    [['DEPENDENCY_NOT_READY', 'DOCKER_API', 'COMPOSE_INVALID'], 'transient'],
  ] as [ErrorName[], string][])('an aggregate of %j is %s', (names, policy) => {
    expect(new AggregateSwarmkeeperError(names.map((n) => skError(n, n))).policy).toBe(policy);
  });

  it('an aggregate takes the first code and reason and joins the messages', () => {
    const a = new AggregateSwarmkeeperError([skError('YAML_SYNTAX', 'a'), skError('DOCKER_API', 'c')]);
    expect(a).toMatchObject({ code: 'SK_ERR_YAML_SYNTAX', reason: 'InvalidYAML', message: 'a\nc' });
    expect(a.errors.map((e) => e.message)).toEqual(['a', 'c']);
    expect(errorName(a)).toBe('YAML_SYNTAX');
  });

  it('an aggregate of nothing is refused', () => {
    expect(() => new AggregateSwarmkeeperError([])).toThrow('at least one error');
  });
});
