import { describe, expect, it } from 'vitest';
import { LABEL_SPEC_HASH } from '../../../reconciler/model/ownership.js';
import { compileIgnore } from '../../../reconciler/plan/ignore.js';
import { specHash, withSpecHash } from '../../../reconciler/plan/spec-hash.js';
import { svc } from './fixtures.js';

const base = svc('web', {}, { Env: ['A=1'] }).spec;

describe('specHash', () => {
  it('is 16 hex digits and stable across key order', () => {
    const reordered = { TaskTemplate: base.TaskTemplate, Labels: base.Labels, Name: base.Name };
    expect(specHash(base)).toMatch(/^[0-9a-f]{16}$/);
    expect(specHash(reordered)).toBe(specHash(base));
  });

  it.each([
    ['zero values', svc('web', {}, { Env: ['A=1'], Args: [], ReadOnly: false }).spec, true],
    ['its own label', withSpecHash(base), true],
    ['a changed env', svc('web', {}, { Env: ['A=2'] }).spec, false],
    ['replicas 0', svc('web', { Mode: { Replicated: { Replicas: 0 } } }, { Env: ['A=1'] }).spec, false],
  ])('%s: same hash = %s', (_n, spec, same) => {
    expect(specHash(spec) === specHash(base)).toBe(same);
  });

  it('leaves ignored paths out', () => {
    const scaled = svc('web', { Mode: { Replicated: { Replicas: 5 } } }, { Env: ['A=1'] }).spec;
    const ig = compileIgnore(['Mode.Replicated.Replicas']);
    expect(specHash(scaled, ig)).toBe(specHash(base, ig));
    expect(withSpecHash(base).Labels?.[LABEL_SPEC_HASH]).toBe(specHash(base));
  });
});
