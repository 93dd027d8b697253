/**
 * The law behind ObserveQuery.namePrefixes: when every object the owner owns is named in the
 * query or starts with one of its prefixes (what reconciler/desired/observe-query.ts vouches for),
 * observing by name finds everything observing by label finds that the planner can use: every
 * owned object, every desired name, and the stack's unowned objects under a desired or logical
 * name (the only ones adoption looks at: plan/context.ts isSameStackUnowned, plan/ref-names.ts).
 * The fake engine filters as dockerd does: label filters AND, name filters OR, services, configs
 * and secrets by name prefix, networks by exact name (what dockerd 20.10 does for swarm networks).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { observe } from '../../../controllers/docker/observe.js';
import type { ObservedObject } from '../../../reconciler/model/objects.js';
import type { ObserveQuery } from '../../../reconciler/ports.js';
import { fakeDocker, type FakeRequest } from '../../support/fake-docker.js';

const I = 'swarmkeeper.io/instance';
const OWNER = 'swarmkeeper.io/owner';
const NS = 'com.docker.stack.namespace';
const KINDS = ['service', 'network', 'config', 'secret'] as const;
type Kind = (typeof KINDS)[number];
const PATHS: Record<string, Kind> = {
  '/services': 'service',
  '/networks': 'network',
  '/configs': 'config',
  '/secrets': 'secret',
};

interface Obj {
  kind: Kind;
  name: string;
  labels: Record<string, string>;
}

function matches(kind: Kind, o: Obj, filters: Record<string, string[]>): boolean {
  const labelsOk = (filters['label'] ?? []).every((l) => {
    const [k, v] = l.split('=') as [string, string | undefined];
    return v === undefined ? k in o.labels : o.labels[k] === v;
  });
  const names = filters['name'];
  const nameOk =
    names === undefined || names.some((n) => (kind === 'network' ? o.name === n : o.name.startsWith(n)));
  return labelsOk && nameOk;
}

function engine(world: Obj[]) {
  return fakeDocker((r: FakeRequest) => {
    const kind = PATHS[r.path];
    if (!kind) return { status: 404, json: { message: `unexpected ${r.path}` } };
    const raw = r.query['filters'];
    const filters = (typeof raw === 'string' ? JSON.parse(raw) : (raw ?? {})) as Record<string, string[]>;
    const found = world.filter((o) => o.kind === kind && matches(kind, o, filters));
    return {
      status: 200,
      json: found.map((o, i) =>
        kind === 'network'
          ? { Id: `${o.name}#${i}`, Name: o.name, Labels: o.labels }
          : { ID: `${o.name}#${i}`, Spec: { Name: o.name, Labels: o.labels } },
      ),
    };
  });
}

const owned = { [I]: 'i1', [OWNER]: 'SwarmStack/default/a' };
const isOwned = (labels: Record<string, string>) => labels[I] === owned[I] && labels[OWNER] === owned[OWNER];
const LABELS: Record<string, string>[] = [
  owned,
  { [I]: 'i1', [OWNER]: 'SwarmStack/default/b' },
  { [I]: 'i2', [OWNER]: 'SwarmStack/default/a' },
  { [NS]: 'a' },
  { [NS]: 'b' },
  {},
];
const NAMES = ['a_web', 'a_db', 'a_cfg-1', 'a_cfg-2', 'b_web', 'custom', 'custom-1', 'custom-2', 'other'];

const arbWorld = fc.uniqueArray(
  fc.record({
    kind: fc.constantFrom(...KINDS),
    name: fc.constantFrom(...NAMES),
    labels: fc.constantFrom(...LABELS),
  }),
  { selector: (o) => `${o.kind}/${o.name}`, maxLength: 20 },
);
const arbNames = fc.record({
  service: fc.subarray(['a_web', 'a_db']),
  network: fc.subarray(['a_web', 'custom', 'other']),
  config: fc.subarray(['a_cfg-1', 'custom-1']),
  secret: fc.subarray(['a_cfg-2', 'custom-2']),
});

const key = (o: ObservedObject) => `${o.kind}/${o.name}`;

type Names = Record<Kind, string[]>;

/** The query without prefixes, the prefixes observe-query.ts would give, and what they name. */
function queryOf(names: Names) {
  // the logical name of each desired config or secret outside the namespace is a prefix
  const custom = names.config.includes('custom-1') || names.secret.includes('custom-2');
  const prefixes = ['a_', ...(custom ? ['custom'] : [])];
  const named = (o: Obj) =>
    names[o.kind].includes(o.name) || (o.kind !== 'network' && prefixes.some((p) => o.name.startsWith(p)));
  const base: ObserveQuery = {
    instanceId: 'i1',
    owner: 'SwarmStack/default/a',
    names,
    stackNamespaces: ['a'],
  };
  const usable = (o: ObservedObject) => isOwned(o.labels) || named(o as Obj);
  return { prefixes, named, base, usable };
}

/** `wide` finds every object `narrow`'s caller can use, and `narrow` nothing `wide` would not. */
function expectCovers(
  wide: ObservedObject[],
  narrow: ObservedObject[],
  usable: (o: ObservedObject) => boolean,
) {
  expect(narrow.map(key).sort()).toEqual(expect.arrayContaining(wide.filter(usable).map(key).sort()));
  expect(wide.map(key)).toEqual(expect.arrayContaining(narrow.map(key)));
}

describe('observe by name (namePrefixes) finds what observe by label finds', () => {
  it('for every world where the owner owns only named or prefixed objects', async () => {
    await fc.assert(
      fc.asyncProperty(arbWorld, arbNames, async (world, names) => {
        const { prefixes, named, base, usable } = queryOf(names);
        // the premise settled() vouches for
        const premised = world.filter((o) => !isOwned(o.labels) || named(o));
        const full = await observe(engine(premised).docker, base);
        const q = { ...base, namePrefixes: prefixes, ownedByName: true };
        expectCovers(full.objects, (await observe(engine(premised).docker, q)).objects, usable);
      }),
      { numRuns: 200 },
    );
  });

  it('with owned objects by label, for every world (no premise): all it finds by label that the planner can use', async () => {
    await fc.assert(
      fc.asyncProperty(arbWorld, arbNames, async (world, names) => {
        const { prefixes, base, usable } = queryOf(names);
        const byLabel = await observe(engine(world).docker, base);
        const byName = await observe(engine(world).docker, { ...base, namePrefixes: prefixes });
        expectCovers(byLabel.objects, byName.objects, usable);
      }),
      { numRuns: 200 },
    );
  });

  it('lists services, configs and secrets once each by name, and networks only when named', async () => {
    const { docker, requests } = engine([]);
    await observe(docker, {
      instanceId: 'i1',
      owner: 'SwarmStack/default/a',
      names: { service: ['a_web'] },
      stackNamespaces: ['a'],
      namePrefixes: ['a_'],
      ownedByName: true,
    });
    expect(requests.map((r) => r.path).sort()).toEqual(['/configs', '/secrets', '/services']);
    expect(requests.every((r) => !String(JSON.stringify(r.query)).includes('label'))).toBe(true);
  });
});
