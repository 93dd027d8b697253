import { describe, expect, it } from 'vitest';
import { LABEL_SPEC_HASH } from '../../../reconciler/model/ownership.js';
import { compileIgnore } from '../../../reconciler/plan/ignore.js';
import { canonicalJSON, specHash, withSpecHash } from '../../../reconciler/plan/spec-hash.js';
import { svc } from './fixtures.js';

const base = svc('web', {}, { Env: ['A=1'] }).spec;

describe('specHash', () => {
  it('is 16 hex digits and stable across key order', () => {
    const reordered = { TaskTemplate: base.TaskTemplate, Labels: base.Labels, Name: base.Name };
    expect(specHash(base, [])).toMatch(/^[0-9a-f]{16}$/);
    expect(specHash(reordered, [])).toBe(specHash(base, []));
  });

  it.each([
    ['zero values', svc('web', {}, { Env: ['A=1'], Args: [], ReadOnly: false }).spec, true],
    ['its own label', withSpecHash(base, []), true],
    ['a changed env', svc('web', {}, { Env: ['A=2'] }).spec, false],
    ['replicas 0', svc('web', { Mode: { Replicated: { Replicas: 0 } } }, { Env: ['A=1'] }).spec, false],
  ])('%s: same hash = %s', (_n, spec, same) => {
    expect(specHash(spec, []) === specHash(base, [])).toBe(same);
  });

  it('leaves ignored paths out', () => {
    const scaled = svc('web', { Mode: { Replicated: { Replicas: 5 } } }, { Env: ['A=1'] }).spec;
    const ig = compileIgnore(['Mode.Replicated.Replicas']);
    expect(specHash(scaled, ig)).toBe(specHash(base, ig));
    expect(withSpecHash(base, []).Labels?.[LABEL_SPEC_HASH]).toBe(specHash(base, []));
  });

  it('other labels count; the spec keeps its labels and is not changed', () => {
    const labelled = { ...base, Labels: { ...base.Labels, tier: 'web' } };
    expect(specHash(labelled, [])).not.toBe(specHash(base, []));
    const before = structuredClone(labelled);
    const out = withSpecHash(labelled, []);
    expect(out.Labels).toEqual({ ...labelled.Labels, [LABEL_SPEC_HASH]: specHash(labelled, []) });
    expect(labelled).toEqual(before);
  });

  it('a spec without labels hashes like one with none', () => {
    const { Labels: _l, ...bare } = base;
    expect(specHash({ ...bare, Labels: {} }, [])).toBe(specHash(bare, []));
    expect(withSpecHash(bare, []).Labels).toEqual({ [LABEL_SPEC_HASH]: specHash(bare, []) });
  });

  it('canonicalJSON sorts keys and drops zero values', () => {
    expect(
      canonicalJSON({ TaskTemplate: { ContainerSpec: { Image: 'i', Env: [] } }, Name: 'n', Labels: {} }),
    ).toBe('{"Name":"n","TaskTemplate":{"ContainerSpec":{"Image":"i"}}}');
  });
});
