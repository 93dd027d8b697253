import { describe, expect, it } from 'vitest';
import { AggregateSwarmkeeperError, Errors, asSwarmkeeperError, skError } from '../../reconciler/errors.js';

describe('errors', () => {
  it('codes are unique and stable-looking', () => {
    const codes = Object.values(Errors).map((d) => d.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^SK_ERR_[A-Z_]+$/);
  });

  it.each([
    ['COMPOSE_INVALID', 'terminal'],
    ['DEPENDENCY_NOT_READY', 'waiting'],
    ['DOCKER_API', 'transient'],
  ] as const)('%s carries policy %s', (name, policy) => {
    expect(skError(name, 'x').policy).toBe(policy);
  });

  it('wraps unknown errors as transient internal errors', () => {
    const e = asSwarmkeeperError(new Error('boom'));
    expect(e.code).toBe('SK_ERR_INTERNAL');
    expect(e.policy).toBe('transient');
    expect(e.message).toBe('boom');
  });

  it('aggregates are terminal only when every part is', () => {
    const t = skError('COMPOSE_INVALID', 'a');
    const w = skError('DEPENDENCY_NOT_READY', 'b');
    expect(new AggregateSwarmkeeperError([t, t]).policy).toBe('terminal');
    expect(new AggregateSwarmkeeperError([t, w]).policy).toBe('waiting');
    expect(new AggregateSwarmkeeperError([t, skError('DOCKER_API', 'c')]).message).toBe('a\nc');
  });
});
