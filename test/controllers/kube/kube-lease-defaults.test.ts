import { describe, expect, it } from 'vitest';
import { defaultLeaseName, defaultLeaseNamespace } from '../../../controllers/kube/kube-runtime.js';

describe('defaultLeaseName: one election per instance id, a valid object name', () => {
  it.each<[string, string]>([
    ['default', 'swarmkeeper-informers'],
    ['prod', 'swarmkeeper-informers-prod'],
    ['Team_A/east', 'swarmkeeper-informers-team-a-east'],
    ['--x--', 'swarmkeeper-informers-x'],
    ['a'.repeat(300), `swarmkeeper-informers-${'a'.repeat(253 - 22)}`],
  ])('%s', (id, want) => {
    const name = defaultLeaseName(id);
    expect(name).toBe(want);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    expect(name.length).toBeLessThanOrEqual(253);
  });
});

describe('defaultLeaseNamespace', () => {
  it.each<[string, string | undefined, Record<string, string>, string]>([
    ['the pod namespace first', 'watched', { POD_NAMESPACE: 'swarmkeeper-system' }, 'swarmkeeper-system'],
    ['else the watched namespace', 'watched', {}, 'watched'],
    ['else default', undefined, {}, 'default'],
    ['an empty POD_NAMESPACE counts as unset', undefined, { POD_NAMESPACE: '' }, 'default'],
  ])('%s', (_, watched, env, want) => {
    expect(defaultLeaseNamespace(watched, env)).toBe(want);
  });
});
