import { describe, expect, it } from 'vitest';
import { DEFAULT_NODE_POLICY, withNodePolicy } from '../../machines/node-policy.js';
import { stepTimeoutMs } from '../../machines/step-policy.js';
import { DEFAULT_MIGRATION_POLICY, migrationPolicy } from '../../machines/volume-migration.setup.js';

describe('node and migration policies', () => {
  it('no overrides: the defaults', () => {
    expect(withNodePolicy()).toEqual(DEFAULT_NODE_POLICY);
    expect(migrationPolicy()).toEqual(DEFAULT_MIGRATION_POLICY);
  });

  it.each([
    ['join', 90_000],
    ['leave', 60_000],
    ['forceLeave', 60_000],
    ['connect', 30_000],
  ])('node step %s times out after %i ms by default', (step, ms) => {
    expect(stepTimeoutMs(withNodePolicy(), step)).toBe(ms);
  });

  it('a per-step override keeps the other step timeouts', () => {
    const p = withNodePolicy({ timeoutMs: { default: 5, join: 7 }, maxUpdateRounds: 1 });
    expect([stepTimeoutMs(p, 'join'), stepTimeoutMs(p, 'leave'), stepTimeoutMs(p, 'connect')]).toEqual([
      7, 60_000, 5,
    ]);
    expect(p.maxUpdateRounds).toBe(1);
    expect(p.drainTimeoutMs).toBe(300_000);
    expect(DEFAULT_NODE_POLICY.timeoutMs.join).toBe(90_000);
  });

  it('migration: a per-step override keeps the other step timeouts', () => {
    const p = migrationPolicy({ timeoutMs: { default: 5, copy: 7 }, taskPollIntervalMs: 1 });
    expect([stepTimeoutMs(p, 'copy'), stepTimeoutMs(p, 'verify'), stepTimeoutMs(p, 'discover')]).toEqual([
      7,
      6 * 3_600_000,
      5,
    ]);
    expect(p.taskPollIntervalMs).toBe(1);
    expect(p.maxAttempts).toBe(3);
  });
});
