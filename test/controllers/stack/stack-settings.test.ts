import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  cliStackSettings,
  controllerStackSettings,
  loadPolicyFile,
  SAFE_STACK_SETTINGS,
} from '../../../controllers/stack/stack-settings.js';
import { parseSourceSpecs } from '../../../controllers/sources/source-spec.js';
import { ALLOW_ALL, effectivePolicy, GIT_DEFAULT } from '../../../reconciler/policy/policy.js';
import { DEFAULT_LIMITS } from '../../../reconciler/validate/limits.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';

const dir = mkdtempSync(join(tmpdir(), 'sk-policy-'));
const own = join(dir, 'own.yaml');
const global = join(dir, 'global.yaml');
writeFileSync(own, 'rules:\n  bindMounts: none\n');
writeFileSync(global, 'rules:\n  capAdd: none\nnamespaces:\n  team-a:\n    hostPorts: deny\n');

const res = (source: string, namespace = 'default'): DesiredResource => ({
  key: `SwarmStack/${namespace}/x`,
  kind: 'SwarmStack',
  namespace,
  name: 'x',
  spec: {},
  origin: { file: 'x.yml', source },
  baseDir: '.',
});

describe('controllerStackSettings', () => {
  // built in each test: what runs at collection time is no test's
  let s: ReturnType<typeof controllerStackSettings>;
  beforeEach(() => {
    s = controllerStackSettings({
      allowEnv: ['APP_*'],
      policy: global,
      limits: 'replicas=5',
      sources: parseSourceSpecs([`dir=/srv/a,policy=${own}`, 'git=file:///srv/r.git', 'dir=/srv/b']),
      kubeSourceName: 'kube',
    });
  });

  it('a source with policy=FILE uses its own file, the others --policy, over their type default', () => {
    expect(s.policyFor(res('dir:/srv/a'))).toEqual({
      rules: { ...ALLOW_ALL, bindMounts: 'none' },
      from: `policy ${own}`,
    });
    expect(s.policyFor(res('git:r'))).toEqual({
      rules: { ...GIT_DEFAULT, capAdd: 'none' },
      from: `policy ${global}`,
    });
    expect(s.policyFor(res('dir:/srv/b')).rules).toEqual({ ...ALLOW_ALL, capAdd: 'none' });
  });
  it('with --kube, per namespace', () => {
    expect(s.policyFor(res('kube', 'team-a'))).toEqual({
      rules: { ...ALLOW_ALL, capAdd: 'none', hostPorts: 'deny' },
      from: `policy ${global}, namespace team-a`,
    });
  });
  it('an unknown source gets the strictest default (git)', () => {
    expect(s.policyFor(res('elsewhere')).rules).toEqual({ ...GIT_DEFAULT, capAdd: 'none' });
  });
  it('env: only the allowed variables, as they were at start-up', () => {
    process.env['APP_SK_SETTINGS_TEST'] = 'one';
    process.env['SK_SETTINGS_TEST_OTHER'] = 'two';
    try {
      const t = controllerStackSettings({ allowEnv: ['APP_SK_*'], sources: [] });
      process.env['APP_SK_SETTINGS_TEST'] = 'changed';
      expect(t.env.vars).toEqual({ APP_SK_SETTINGS_TEST: 'one' });
    } finally {
      delete process.env['APP_SK_SETTINGS_TEST'];
      delete process.env['SK_SETTINGS_TEST_OTHER'];
    }
  });
  it('env: only the allowed names; limits: raised', () => {
    expect(s.env.allow).toEqual(['APP_*']);
    expect(s.limits).toEqual({ ...DEFAULT_LIMITS, replicas: 5 });
  });
  it('a bad policy file fails at start, naming the file', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'rules:\n  dockerSocket: sometimes\n');
    expect(() => loadPolicyFile(bad)).toThrow(`policy ${bad}: rules.dockerSocket:`);
    expect(() => loadPolicyFile(join(dir, 'none.yaml'))).toThrow(`policy ${join(dir, 'none.yaml')}: ENOENT`);
  });
});

describe('settings with no flags', () => {
  it('the controller: default limits (a copy), no variable, git rules for an unknown source', () => {
    const t = controllerStackSettings({ allowEnv: [], sources: [] });
    expect(t.limits).toStrictEqual(DEFAULT_LIMITS);
    expect(t.limits).not.toBe(DEFAULT_LIMITS);
    expect(t.env).toStrictEqual({ vars: {}, allow: [] });
    expect(t.policyFor(res('kube'))).toStrictEqual(effectivePolicy('git', 'default', undefined));
  });

  it('a kube source without --policy: the built-in default for kube sources, named so', () => {
    const t = controllerStackSettings({ allowEnv: [], sources: [], kubeSourceName: 'kube' });
    expect(t.policyFor(res('kube', 'team-a'))).toStrictEqual({
      rules: { ...ALLOW_ALL },
      from: 'the built-in default for kube sources',
    });
  });

  it('a bad --allow-env fails at start', () => {
    expect(() => controllerStackSettings({ allowEnv: ['APP-*'], sources: [] })).toThrow('--allow-env APP-*');
  });

  it('the CLI: the whole shell for plain compose files, default limits (a copy), dir rules', () => {
    const t = cliStackSettings({});
    expect(t.env.vars).toBe(process.env);
    expect(t.env.allow).toBe('all');
    expect(t.limits).toStrictEqual(DEFAULT_LIMITS);
    expect(t.limits).not.toBe(DEFAULT_LIMITS);
    expect(t.policyFor(res('dir:/srv/a', 'team-a'))).toStrictEqual(
      effectivePolicy('dir', 'team-a', undefined),
    );
  });

  it('the CLI with --limits and --policy: raised bounds, the file over the dir rules, per namespace', () => {
    const t = cliStackSettings({ limits: 'replicas=5', policy: global });
    expect(t.limits).toStrictEqual({ ...DEFAULT_LIMITS, replicas: 5 });
    expect(t.policyFor(res('anything', 'team-a'))).toStrictEqual({
      rules: { ...ALLOW_ALL, capAdd: 'none', hostPorts: 'deny' },
      from: `policy ${global}, namespace team-a`,
    });
  });

  it('a caller that gives none: no variable, default bounds, the dir default policy', () => {
    expect(SAFE_STACK_SETTINGS.env).toStrictEqual({ vars: {}, allow: [] });
    expect(SAFE_STACK_SETTINGS.limits).toStrictEqual(DEFAULT_LIMITS);
    expect(SAFE_STACK_SETTINGS.policyFor(res('git:r', 'team-a'))).toStrictEqual(
      effectivePolicy('dir', 'team-a', undefined),
    );
    expect(SAFE_STACK_SETTINGS.policyFor(res('git:r')).rules).toStrictEqual(ALLOW_ALL);
  });
});
