import { describe, expect, it } from 'vitest';
import type { HostileCase } from '../../hostile/case.js';
import { cases as bounds } from '../../hostile/cases/bounds.js';
import { cases as durations } from '../../hostile/cases/durations.js';
import { cases as interpolation } from '../../hostile/cases/interpolation.js';
import { cases as names } from '../../hostile/cases/names.js';
import { cases as policy } from '../../hostile/cases/policy.js';
import { cases as references } from '../../hostile/cases/references.js';
import { runCase } from './hostile-run.js';

const ALL: HostileCase[] = [...interpolation, ...names, ...references, ...durations, ...bounds, ...policy];

describe('hostile corpus: interpolation, names, references, durations, bounds, policy (in process)', () => {
  it('has at least 60 cases with unique names', () => {
    expect(ALL.length).toBeGreaterThanOrEqual(60);
    expect(new Set(ALL.map((c) => c.name)).size).toBe(ALL.length);
  });

  it.each(ALL.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const out = runCase(c);
    expect(out.goodOk).toBe(true);
    const exp = c.expect;
    if ('ok' in exp) {
      if (!out.bad.ok) throw new Error(`expected ok, got ${out.bad.code}: ${out.bad.message}`);
      const warnings = out.bad.result.warnings;
      expect(warnings).toHaveLength(exp.warnings?.length ?? 0);
      exp.warnings?.forEach((w, i) =>
        typeof w === 'string' ? expect(warnings[i]).toBe(w) : expect(warnings[i]).toMatch(w),
      );
      // nothing of the controller's environment reaches the desired state unless allowed
      const json = JSON.stringify(out.bad.result.desired);
      for (const [k, v] of Object.entries(c.env ?? {}))
        if (!(c.allowEnv ?? []).some((p) => (p.endsWith('*') ? k.startsWith(p.slice(0, -1)) : p === k)))
          expect(json).not.toContain(v);
    } else {
      if (out.bad.ok) throw new Error(`expected ${exp.code}, the stack was accepted`);
      expect(out.bad.code).toBe(exp.code);
      if (typeof exp.message === 'string') expect(out.bad.message).toContain(exp.message);
      else expect(out.bad.message).toMatch(exp.message);
    }
  });
});
