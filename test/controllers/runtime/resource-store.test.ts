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
