import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CLUSTER_ROLE_PATH,
  clusterRoleFile,
  clusterRoleRules,
} from '../../../reconciler/api/cluster-role.js';
import { KIND_NAMES } from '../../../reconciler/api/common.js';
import { KIND_LIST, KINDS, kindRank, kindsByRank, removeRank } from '../../../reconciler/api/kinds.js';
import { orderResources } from '../../../reconciler/source/order.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';

const ROOT = join(import.meta.dirname, '../../..');

describe('the kind registry', () => {
  it('ranks every kind once, in apply and in removal order', () => {
    const ranks = KIND_LIST.map((k) => k.rank).sort();
    const removal = KIND_LIST.map((k) => k.removeRank).sort();
    expect(ranks).toEqual([0, 1, 2, 3, 4, 5]);
    expect(removal).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it.each([
    ['SwarmNode', 0, 5],
    ['SwarmPlugin', 1, 4],
    ['SwarmNetwork', 2, 3],
    ['SwarmVolume', 3, 2],
    ['SwarmStack', 4, 1],
    ['SwarmVolumeMigration', 5, 0],
  ] as const)('%s: apply rank %i, removal rank %i', (kind, rank, remove) => {
    expect(kindRank(kind)).toBe(rank);
    expect(removeRank(kind)).toBe(remove);
  });

  it('an unknown kind is applied last and removed first', () => {
    expect(kindRank('SwarmThing')).toBeGreaterThan(Math.max(...KIND_LIST.map((k) => k.rank)));
    expect(removeRank('SwarmThing')).toBe(0);
    const r = (kind: string, name: string): DesiredResource =>
      ({ kind, namespace: 'default', name, key: `${kind}/default/${name}`, spec: {} }) as DesiredResource;
    const { ordered } = orderResources([r('SwarmThing', 'a'), r('SwarmStack', 'b'), r('SwarmNode', 'c')]);
    expect(ordered.map((x) => x.kind)).toEqual(['SwarmNode', 'SwarmStack', 'SwarmThing']);
  });

  it('planned kinds are the stack and the network; the others run as machines', () => {
    expect(kindsByRank(true).map((k) => k.kind)).toEqual(['SwarmNetwork', 'SwarmStack']);
    expect(kindsByRank(false).map((k) => k.kind)).toEqual([
      'SwarmNode',
      'SwarmPlugin',
      'SwarmVolume',
      'SwarmVolumeMigration',
    ]);
  });

  it('has a definition for every kind name', () => {
    expect(Object.keys(KINDS).sort()).toEqual([...KIND_NAMES].sort());
  });
});

describe('the ClusterRole', () => {
  it(`${CLUSTER_ROLE_PATH} is the generated one`, () => {
    const onDisk = readFileSync(join(ROOT, CLUSTER_ROLE_PATH), 'utf8');
    expect(onDisk === clusterRoleFile(), `${CLUSTER_ROLE_PATH} is stale: run \`npm run gen:crds\``).toBe(
      true,
    );
  });

  it('grants every kind its verbs, and no wildcard', () => {
    const rules = clusterRoleRules();
    const verbsFor = (resource: string) =>
      rules
        .filter((r) => r.apiGroups.includes('swarmkeeper.io') && r.resources.includes(resource))
        .flatMap((r) => r.verbs)
        .sort();
    for (const k of KIND_LIST) {
      expect(verbsFor(k.plural)).toEqual([...k.rbac.resource].sort());
      expect(verbsFor(`${k.plural}/status`)).toEqual([...k.rbac.status].sort());
      expect(verbsFor(`${k.plural}/finalizers`)).toEqual([...k.rbac.finalizers].sort());
    }
    expect(rules.flatMap((r) => [...r.verbs, ...r.resources, ...r.apiGroups])).not.toContain('*');
  });
});
