/**
 * Runs a hostile case in process the way a running controller would see it: the case's files in
 * `bad/` beside a valid `good/`, loaded as a dir (or, when the case skips dir, a git) source,
 * with only `allowEnv` variables of `env` visible, the case's policy and the default bounds.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { desiredFor, type DesiredFor } from '../../../reconciler/desired/desired-for.js';
import { asSwarmkeeperError } from '../../../reconciler/errors.js';
import { effectivePolicy, parsePolicy } from '../../../reconciler/policy/policy.js';
import { DEFAULT_LIMITS } from '../../../reconciler/validate/limits.js';
import { loadPath } from '../../../controllers/sources/dir-loader.js';
import { fsFileReader } from '../../../controllers/sources/fs-file-reader.js';
import type { HostileCase } from '../../hostile/case.js';
import { SECRET_HASH_KEY } from '../compose/helpers.js';

export const GOOD = 'services:\n  web:\n    image: local/busybox:1\n';
export const POLICY_FILE = '/etc/swarmkeeper/policy.yaml';

export interface CaseOutcome {
  bad: { ok: true; result: DesiredFor } | { ok: false; code: string; message: string };
  goodOk: boolean;
}

export function runCase(c: HostileCase): CaseOutcome {
  const root = mkdtempSync(join(tmpdir(), 'sk-hostile-'));
  try {
    mkdirSync(join(root, 'good'));
    writeFileSync(join(root, 'good', 'docker-compose.yml'), GOOD);
    for (const [rel, spec] of Object.entries(c.files)) {
      const p = join(root, 'bad', rel);
      mkdirSync(dirname(p), { recursive: true });
      if (typeof spec === 'string') writeFileSync(p, spec);
      else if ('repeat' in spec) writeFileSync(p, spec.chunk.repeat(spec.repeat));
      else if ('bytes' in spec) writeFileSync(p, Buffer.from(spec.bytes));
      else throw new Error(`case ${c.name}: this runner writes only text and bytes`);
    }
    const sourceType = c.skip?.includes('dir') ? 'git' : 'dir';
    const loaded = loadPath(root, { source: `${sourceType}:hostile` });
    const policy = c.policy === undefined ? undefined : parsePolicy(POLICY_FILE, parse(c.policy));
    const ctx = (ns: string) => ({
      instanceId: 'hostile',
      files: fsFileReader(root),
      secretHashKey: SECRET_HASH_KEY,
      env: { vars: c.env ?? {}, allow: c.allowEnv ?? [] },
      limits: DEFAULT_LIMITS,
      policy: effectivePolicy(sourceType, ns, policy),
    });
    const good = loaded.resources.find((r) => r.name === 'good');
    const goodOk = good !== undefined && desiredFor(good, ctx(good.namespace)).desired.objects.length > 0;
    const bad = loaded.resources.find((r) => r.name !== 'good');
    if (!bad) {
      const e = loaded.errors[0];
      return { bad: { ok: false, code: e?.code ?? 'none', message: e?.message ?? 'no resource' }, goodOk };
    }
    try {
      return { bad: { ok: true, result: desiredFor(bad, ctx(bad.namespace)) }, goodOk };
    } catch (e) {
      const err = asSwarmkeeperError(e);
      return { bad: { ok: false, code: err.code, message: err.message }, goodOk };
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
