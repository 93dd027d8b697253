import { describe, expect, it } from 'vitest';
import { ResourceStore } from '../../../controllers/runtime/resource-store.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import type { SourceSnapshot } from '../../../controllers/ports.js';

const res = (name: string, file = `${name}.yml`, spec: Record<string, unknown> = {}): DesiredResource => ({
  key: `SwarmStack/default/${name}`,
  kind: 'SwarmStack',
  namespace: 'default',
  name,
  spec,
  origin: { file },
  baseDir: '.',
});
const snap = (source: string, resources: DesiredResource[], failedFiles: string[] = []): SourceSnapshot => ({
  source,
  root: `/${source}`,
  revision: 'r',
  resources,
  errors: [],
  failedFiles,
});

const key = (name: string) => `SwarmStack/default/${name}`;

describe('ResourceStore', () => {
  it('reports added, changed and removed keys', () => {
    const s = new ResourceStore();
    expect(s.update(snap('a', [res('x'), res('y')]))).toMatchObject({
      changed: ['SwarmStack/default/x', 'SwarmStack/default/y'],
      removed: [],
    });
    expect(s.update(snap('a', [res('x', 'x.yml', { v: 2 })]))).toMatchObject({
      changed: ['SwarmStack/default/x'],
      removed: ['SwarmStack/default/y'],
    });
    expect(s.get('SwarmStack/default/x')?.root).toBe('/a');
  });

  // A new commit of a git source: a new revision and a new root for every resource. Only the
  // resources whose document or whose input files (env files, configs: SourceSnapshot.inputs)
  // changed are reconciled again.
  it.each<[string, Partial<SourceSnapshot>, DesiredResource[], string[]]>([
    ['a new revision and root only', { revision: 'r2', root: '/a2' }, [res('x'), res('y')], []],
    ['one document changed', { revision: 'r2' }, [res('x', 'x.yml', { v: 2 }), res('y')], ['x']],
    [
      "one resource's input files changed",
      {
        revision: 'r2',
        inputs: new Map([
          [key('x'), 'd1'],
          [key('y'), 'd9'],
        ]),
      },
      [res('x'), res('y')],
      ['y'],
    ],
    ['the bind root', { revision: 'r2', bindRoot: '/srv' }, [res('x'), res('y')], ['x', 'y']],
  ])('a snapshot with %s: changed %j', (_what, next, resources, changed) => {
    const s = new ResourceStore();
    const inputs = new Map([
      [key('x'), 'd1'],
      [key('y'), 'd2'],
    ]);
    const stamp = (rs: DesiredResource[], revision: string) =>
      rs.map((r) => ({ ...r, origin: { ...r.origin, revision } }));
    s.update({ ...snap('a', stamp([res('x'), res('y')], 'r1')), inputs });
    const change = s.update({
      ...snap('a', stamp(resources, next.revision ?? 'r1')),
      inputs,
      ...next,
    });
    expect(change.changed).toEqual(changed.map(key));
    expect(change.removed).toEqual([]);
    // the store holds the new snapshot's resource (its revision) and root either way
    expect(s.get(key('x'))?.resource.origin.revision).toBe(next.revision);
    expect(s.get(key('x'))?.root).toBe(next.root ?? '/a');
  });

  it('keeps the input digest of a resource kept from a file that failed to parse', () => {
    const s = new ResourceStore();
    s.update({
      ...snap('a', [res('x'), res('y')]),
      inputs: new Map([
        [key('x'), 'd1'],
        [key('y'), 'd2'],
      ]),
    });
    const change = s.update({ ...snap('a', [res('y')], ['x.yml']), inputs: new Map([[key('y'), 'd2']]) });
    expect(change).toMatchObject({ changed: [], removed: [] });
    expect(s.get(key('x'))?.inputs).toBe('d1');
  });

  it("carries the source's bindRoot to each of its resources", () => {
    const s = new ResourceStore();
    s.update({ ...snap('a', [res('x')]), bindRoot: '/srv/infra' });
    s.update(snap('b', [res('y')]));
    expect(s.get('SwarmStack/default/x')?.bindRoot).toBe('/srv/infra');
    expect(s.get('SwarmStack/default/y')).not.toHaveProperty('bindRoot');
  });

  it('keeps the resources of a file that failed to parse', () => {
    const s = new ResourceStore();
    s.update(snap('a', [res('x'), res('y')]));
    const c = s.update(snap('a', [res('x')], ['y.yml']));
    expect(c.removed).toEqual([]);
    expect(s.keys()).toEqual(['SwarmStack/default/x', 'SwarmStack/default/y']);
  });

  it('two sources claiming one key: a conflict, neither applied', () => {
    const s = new ResourceStore();
    s.update(snap('a', [res('x')]));
    const c = s.update(snap('b', [res('x', 'other.yml')]));
    expect(s.get('SwarmStack/default/x')).toBeUndefined();
    expect(c.conflicts.get('SwarmStack/default/x')?.message).toBe(
      'SwarmStack/default/x is claimed by more than one source: a:x.yml, b:other.yml; neither is applied',
    );
    expect(s.keys()).toEqual(['SwarmStack/default/x']);
    s.removeSource('b');
    expect(s.get('SwarmStack/default/x')?.root).toBe('/a');
  });
});
