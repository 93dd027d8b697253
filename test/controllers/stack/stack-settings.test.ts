import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { controllerStackSettings, loadPolicyFile } from '../../../controllers/stack/stack-settings.js';
import { parseSourceSpecs } from '../../../controllers/sources/source-spec.js';
import { ALLOW_ALL, GIT_DEFAULT } from '../../../reconciler/policy/policy.js';
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
  const s = controllerStackSettings({
    allowEnv: ['APP_*'],
    policy: global,
    limits: 'replicas=5',
    sources: parseSourceSpecs([`dir=/srv/a,policy=${own}`, 'git=file:///srv/r.git', 'dir=/srv/b']),
    kubeSourceName: 'kube',
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
