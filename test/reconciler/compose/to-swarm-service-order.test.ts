/**
 * The lists docker/cli's convert package sorts: ulimits by name, configs and secrets by their Swarm
 * name, published ports by published port (stable for the short lists of a stack), networks by target.
 * Laws: the output is sorted, a permutation of the input, and the same whatever the input order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ContainerSpec, ServiceSpec } from '../../../reconciler/model/engine-types.js';
import { deploy, memFiles, serviceOf } from './helpers.js';
import { propertyRuns } from '../../support/property-runs.js';

type Of<A> = A extends fc.Arbitrary<infer T> ? T : never;

const RUNS = propertyRuns(20);
const SLOW = 30_000;

const sortedBy = <T>(list: T[], key: (t: T) => string | number): boolean =>
  list.every((x, i) => i === 0 || key(list[i - 1] as T) <= key(x));

/** Two orders of the same list. */
const twoOrders = <T>(arb: fc.Arbitrary<T[]>): fc.Arbitrary<[T[], T[]]> =>
  arb.chain((list) => fc.shuffledSubarray(list, { minLength: list.length }).map((o) => [list, o]));

const container = (yaml: string, files: Record<string, string> = {}): ContainerSpec =>
  serviceOf(deploy(yaml, { files: memFiles(files) }), 'st_s').TaskTemplate.ContainerSpec as ContainerSpec;

const svc = (body: string, top = ''): string => `services:\n  s:\n    image: img:1\n${body}\n${top}`;

describe('ulimits', () => {
  const ulimit = fc.record({
    name: fc.stringMatching(/^[a-zA-Z][a-z_]{0,5}$/),
    soft: fc.nat(1000),
    hard: fc.nat(1000),
  });
  const ulimitList = fc.uniqueArray(ulimit, { selector: (u) => u.name, minLength: 3, maxLength: 8 });
  type Ulimit = Of<typeof ulimit>;
  const yaml = (list: Ulimit[]): string =>
    svc(`    ulimits:\n${list.map((u) => `      ${u.name}: {soft: ${u.soft}, hard: ${u.hard}}`).join('\n')}`);

  it(
    'sorted by name, a permutation of the input, independent of input order',
    () => {
      fc.assert(
        fc.property(twoOrders(ulimitList), ([a, b]) => {
          const out = container(yaml(a)).Ulimits ?? [];
          expect(sortedBy(out, (u) => u.Name)).toBe(true);
          expect([...out].sort((x, y) => (x.Name < y.Name ? -1 : 1))).toEqual(
            a
              .map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard }))
              .sort((x, y) => (x.Name < y.Name ? -1 : 1)),
          );
          expect(container(yaml(b)).Ulimits).toEqual(out);
        }),
        RUNS,
      );
    },
    SLOW,
  );

  it('three entries given in reverse come out in byte order', () =>
    expect(container(svc('    ulimits: {nproc: 3, memlock: 2, core: 1, Zz: 4}')).Ulimits).toEqual([
      { Name: 'Zz', Soft: 4, Hard: 4 },
      { Name: 'core', Soft: 1, Hard: 1 },
      { Name: 'memlock', Soft: 2, Hard: 2 },
      { Name: 'nproc', Soft: 3, Hard: 3 },
    ]));
});

interface FileObj {
  key: string;
  name?: string;
  external: boolean;
}

const fileObj = fc.record({
  key: fc.stringMatching(/^[a-z][a-z0-9]{0,4}$/),
  name: fc.option(fc.stringMatching(/^[a-zA-Z][a-z0-9_]{0,6}$/), { nil: undefined }),
  external: fc.boolean(),
});
/** The Swarm name without the version suffix: `name:`, else `<stack>_<key>` (or the key if external). */
const base = (o: FileObj): string => o.name ?? (o.external ? o.key : `st_${o.key}`);
const fileObjs = fc
  .uniqueArray(fileObj, { selector: (o) => o.key, minLength: 3, maxLength: 7 })
  .filter((l) => new Set(l.map(base)).size === l.length);

function fileYaml(kind: 'configs' | 'secrets', declared: FileObj[], refs: FileObj[]): string {
  const decl = declared
    .map((o) => {
      const name = o.name === undefined ? '' : `, name: ${o.name}`;
      return o.external ? `  ${o.key}: {external: true${name}}` : `  ${o.key}: {file: ./${o.key}.txt${name}}`;
    })
    .join('\n');
  return svc(`    ${kind}: [${refs.map((o) => o.key).join(', ')}]`, `${kind}:\n${decl}\n`);
}

const FILES = (list: FileObj[]): Record<string, string> =>
  Object.fromEntries(list.map((o) => [`/stacks/st/${o.key}.txt`, `content of ${o.key}`]));

describe.each([
  ['configs', 'Configs', 'ConfigName'],
  ['secrets', 'Secrets', 'SecretName'],
] as const)('%s', (kind, field, nameField) => {
  it(
    'sorted by Swarm name, one reference per entry, independent of declaration and reference order',
    () => {
      fc.assert(
        fc.property(twoOrders(fileObjs), ([a, b]) => {
          const refsOut = (container(fileYaml(kind, a, a), FILES(a))[field] ?? []) as Record<
            string,
            unknown
          >[];
          const names = refsOut.map((r) => r[nameField] as string);
          expect(sortedBy(names, (n) => n)).toBe(true);
          // each entry once, under its own name (with the version suffix unless external)
          const byTarget = new Map(refsOut.map((r) => [(r['File'] as { Name: string }).Name, r[nameField]]));
          expect([...byTarget.keys()].sort()).toEqual(a.map((o) => o.key).sort());
          for (const o of a)
            expect(byTarget.get(o.key)).toMatch(
              new RegExp(o.external ? `^${base(o)}$` : `^${base(o)}-[0-9a-f]{10}$`),
            );
          // the same whatever the order of declarations and of references
          expect(container(fileYaml(kind, b, a), FILES(a))[field]).toEqual(refsOut);
          expect(container(fileYaml(kind, a, b), FILES(a))[field]).toEqual(refsOut);
        }),
        RUNS,
      );
    },
    SLOW,
  );
});

describe('published ports', () => {
  const port = fc.record({
    target: fc.integer({ min: 1, max: 9 }),
    published: fc.option(fc.integer({ min: 1, max: 5 })),
  });
  type Port = Of<typeof port>;
  const spec = (list: Port[]): ServiceSpec =>
    serviceOf(
      deploy(
        svc(
          `    ports:\n${list.map((p) => `      - {target: ${p.target}${p.published === null ? '' : `, published: ${p.published}`}}`).join('\n')}`,
        ),
      ),
      'st_s',
    );

  it(
    'sorted by published port (none first), equal ones in the order given, a permutation of the input',
    () => {
      fc.assert(
        fc.property(fc.array(port, { minLength: 3, maxLength: 12 }), (list) => {
          const out = spec(list).EndpointSpec?.Ports ?? [];
          const want = list
            .map((p, i) => ({ p, i }))
            .sort((x, y) => (x.p.published ?? 0) - (y.p.published ?? 0) || x.i - y.i)
            .map(({ p }) => ({
              Protocol: 'tcp',
              TargetPort: p.target,
              ...(p.published === null ? {} : { PublishedPort: p.published }),
              PublishMode: 'ingress',
            }));
          expect(out).toEqual(want);
        }),
        RUNS,
      );
    },
    SLOW,
  );
});

describe('networks', () => {
  it(
    'sorted by target whatever the order given, each once with the service alias',
    () => {
      const keys = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), { minLength: 3, maxLength: 6 });
      fc.assert(
        fc.property(twoOrders(keys), ([a, b]) => {
          const yaml = (l: string[]): string =>
            svc(`    networks: [${l.join(', ')}]`, `networks:\n${a.map((k) => `  ${k}: {}`).join('\n')}\n`);
          const nets = serviceOf(deploy(yaml(a)), 'st_s').TaskTemplate.Networks ?? [];
          expect(nets.map((n) => n.Target)).toEqual(a.map((k) => `st_${k}`).sort());
          for (const n of nets) expect(n.Aliases).toEqual(['s']);
          expect(serviceOf(deploy(yaml(b)), 'st_s').TaskTemplate.Networks).toEqual(nets);
        }),
        RUNS,
      );
    },
    SLOW,
  );
});
