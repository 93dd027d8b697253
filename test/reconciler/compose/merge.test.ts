import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ComposeLayer, mergeLayers } from '../../../reconciler/compose/merge.js';
import { parseYaml } from '../../../reconciler/compose/parse.js';

/** Layers from YAML texts, as loadComposeFiles builds them (no interpolation here). */
function layers(...texts: string[]): ComposeLayer[] {
  return texts.map((text, i) => {
    const file = i === 0 ? 'base.yml' : `over${i}.yml`;
    const { value, lineOf, tags } = parseYaml(file, text);
    return { file, value, lineOf, tags };
  });
}
const merged = (...texts: string[]): unknown => mergeLayers(layers(...texts), { env: {} }).value;
const svc = (...texts: string[]): unknown =>
  (merged(...texts) as { services: Record<string, unknown> }).services['web'];

// Expected outputs written by hand from docker/cli's merge.go (mergo with WithAppendSlice and
// WithOverride, its transformers) and the compose spec's merge rules.
describe('mergeLayers: service fields', () => {
  it.each([
    ['a scalar is replaced', 'image: a:1\nuser: app', 'image: a:2', { image: 'a:2', user: 'app' }],
    ['a new field is added', 'image: a', 'hostname: h', { image: 'a', hostname: 'h' }],
    [
      'an explicit false replaces (compose spec; docker keeps a non-pointer base)',
      'image: a\nread_only: true',
      'read_only: false',
      { image: 'a', read_only: false },
    ],
    ['null keeps the base', 'image: a\nuser: u', 'user:', { image: 'a', user: 'u' }],
    [
      'command is replaced, never appended',
      'image: a\ncommand: [run, --fast]',
      'command: [serve]',
      { image: 'a', command: ['serve'] },
    ],
    [
      'an empty command keeps the base (docker mergeShellCommand)',
      'image: a\ncommand: [run]',
      'command: []',
      { image: 'a', command: ['run'] },
    ],
    [
      'entrypoint string replaces a list',
      'image: a\nentrypoint: [sh, -c]',
      'entrypoint: /init',
      { image: 'a', entrypoint: '/init' },
    ],
    [
      'environment merges by name, list and map forms alike',
      'image: a\nenvironment: [A=1, B=2, C]',
      'environment:\n  B: "3"\n  D: "4"',
      { image: 'a', environment: { A: '1', B: '3', C: null, D: '4' } },
    ],
    [
      'labels merge by name whatever their form',
      'image: a\nlabels: {a: "1", b: "2"}',
      'labels: [b=3, c]',
      { image: 'a', labels: { a: '1', b: '3', c: '' } },
    ],
    [
      'deploy.labels merge by name',
      'image: a\ndeploy: {labels: [x=1], replicas: 2}',
      'deploy: {labels: {y: "2"}}',
      { image: 'a', deploy: { labels: { x: '1', y: '2' }, replicas: 2 } },
    ],
    [
      'deploy merges recursively; replicas 0 replaces',
      'image: a\ndeploy: {replicas: 3, resources: {limits: {cpus: "1", memory: 1G}}}',
      'deploy: {replicas: 0, resources: {limits: {memory: 2G}}}',
      { image: 'a', deploy: { replicas: 0, resources: { limits: { cpus: '1', memory: '2G' } } } },
    ],
    [
      'placement constraints append',
      'image: a\ndeploy: {placement: {constraints: [node.role==worker]}}',
      'deploy: {placement: {constraints: [node.labels.zone==a]}}',
      { image: 'a', deploy: { placement: { constraints: ['node.role==worker', 'node.labels.zone==a'] } } },
    ],
    [
      'cap_add appends (mergo WithAppendSlice)',
      'image: a\ncap_add: [NET_ADMIN]',
      'cap_add: [SYS_ADMIN]',
      { image: 'a', cap_add: ['NET_ADMIN', 'SYS_ADMIN'] },
    ],
    [
      'dns string and list append',
      'image: a\ndns: 1.1.1.1',
      'dns: [8.8.8.8]',
      { image: 'a', dns: ['1.1.1.1', '8.8.8.8'] },
    ],
    [
      'extra_hosts mapping becomes sorted host:ip, then appends',
      'image: a\nextra_hosts: {b: 2.2.2.2, a: 1.1.1.1}',
      'extra_hosts: [c:3.3.3.3]',
      { image: 'a', extra_hosts: ['a:1.1.1.1', 'b:2.2.2.2', 'c:3.3.3.3'] },
    ],
    [
      'ports merge by published port and protocol, sorted by published',
      'image: a\nports: ["8080:80", "9090:90", "53:53/udp"]',
      'ports: [{target: 81, published: 8080}, "53:53/tcp"]',
      {
        image: 'a',
        ports: [
          { target: 53, published: 53, protocol: 'udp', mode: 'ingress' },
          { target: 53, published: 53, protocol: 'tcp', mode: 'ingress' },
          { target: 81, published: 8080 },
          { target: 90, published: 9090, protocol: 'tcp', mode: 'ingress' },
        ],
      },
    ],
    [
      'unpublished ports merge by target (docker would keep only one)',
      'image: a\nports: ["80", "443"]',
      'ports: ["80"]',
      {
        image: 'a',
        ports: [
          { target: 80, protocol: 'tcp', mode: 'ingress' },
          { target: 443, protocol: 'tcp', mode: 'ingress' },
        ],
      },
    ],
    [
      'volumes merge by target, sorted by target',
      'image: a\nvolumes: ["data:/var/lib", "logs:/logs"]',
      'volumes: [{type: volume, source: other, target: /var/lib}, "/tmp:/cache:ro"]',
      {
        image: 'a',
        volumes: ['/tmp:/cache:ro', 'logs:/logs', { type: 'volume', source: 'other', target: '/var/lib' }],
      },
    ],
    [
      'secrets and configs merge by source, sorted by source',
      'image: a\nsecrets: [db, {source: api, target: /run/api}]\nconfigs: [c1]',
      'secrets: [{source: db, mode: 0400}, tls]\nconfigs: [c0]',
      {
        image: 'a',
        secrets: [{ source: 'api', target: '/run/api' }, { source: 'db', mode: 0o400 }, 'tls'],
        configs: ['c0', 'c1'],
      },
    ],
    [
      'service networks: list and map merge by name, aliases replaced',
      'image: a\nnetworks: {front: {aliases: [w]}, back: null}',
      'networks: [extra]\n',
      { image: 'a', networks: { front: { aliases: ['w'] }, back: null, extra: null } },
    ],
    [
      'service network aliases replaced, driver_opts merged',
      'image: a\nnetworks: {front: {aliases: [w], driver_opts: {a: "1"}}}',
      'networks: {front: {aliases: [x], driver_opts: {b: "2"}}}',
      { image: 'a', networks: { front: { aliases: ['x'], driver_opts: { a: '1', b: '2' } } } },
    ],
    [
      'logging: the same driver merges options',
      'image: a\nlogging: {driver: json-file, options: {max-size: 1m}}',
      'logging: {options: {max-file: "3"}}',
      { image: 'a', logging: { driver: 'json-file', options: { 'max-size': '1m', 'max-file': '3' } } },
    ],
    [
      'logging: another driver replaces',
      'image: a\nlogging: {driver: json-file, options: {max-size: 1m}}',
      'logging: {driver: syslog}',
      { image: 'a', logging: { driver: 'syslog' } },
    ],
    [
      'healthcheck merges, its test is replaced',
      'image: a\nhealthcheck: {test: [CMD, curl, x], interval: 5s}',
      'healthcheck: {test: [CMD, wget, y]}',
      { image: 'a', healthcheck: { test: ['CMD', 'wget', 'y'], interval: '5s' } },
    ],
    [
      'ulimits replace whole entries by name',
      'image: a\nulimits: {nofile: {soft: 1, hard: 2}, nproc: 5}',
      'ulimits: {nofile: 10}',
      { image: 'a', ulimits: { nofile: 10, nproc: 5 } },
    ],
    [
      '!reset removes a value of the base',
      'image: a\nports: ["80:80"]\nuser: u',
      'ports: !reset []\nuser: !reset null',
      { image: 'a' },
    ],
    // compose spec 13-merge "Reset value": `FOO: !reset null` removes FOO from the merged
    // environment (compose-go: Test_LoadWithResetOnKeysNormalizedToSequence, labels too)
    [
      '!reset on one environment entry (mapping form) removes it from a mapping base',
      'image: a\nenvironment: {A: "1", B: "2"}',
      'environment:\n  A: !reset null\n  C: "3"',
      { image: 'a', environment: { B: '2', C: '3' } },
    ],
    [
      '!reset on one environment entry (mapping form) removes it from a list base',
      'image: a\nenvironment: [A=1, B=2, C]',
      'environment:\n  A: !reset\n  C: !reset null',
      { image: 'a', environment: { B: '2' } },
    ],
    [
      '!reset on one environment entry (list form) removes that name, whatever its value',
      'image: a\nenvironment: [A=1, B=2]',
      'environment:\n  - !reset A=ignored\n  - C=3',
      { image: 'a', environment: { B: '2', C: '3' } },
    ],
    [
      '!reset on a bare name (list form) removes it from a mapping base',
      'image: a\nenvironment: {A: "1", B: "2"}',
      'environment: [!reset B]',
      { image: 'a', environment: { A: '1' } },
    ],
    [
      '!reset on a name the base does not set: nothing to remove, nothing added',
      'image: a\nenvironment: {A: "1"}',
      'environment: {Z: !reset null}',
      { image: 'a', environment: { A: '1' } },
    ],
    [
      '!reset on one label or sysctl entry removes it (the same keyed merge)',
      'image: a\nlabels: [a=1, b=2]\ndeploy: {labels: {x: "1", y: "2"}}\nsysctls: {k: "1", l: "2"}',
      'labels: {a: !reset null}\ndeploy: {labels: [!reset y]}\nsysctls: {l: !reset}',
      { image: 'a', labels: { b: '2' }, deploy: { labels: { x: '1' } }, sysctls: { k: '1' } },
    ],
    [
      '!override replaces without merging',
      'image: a\nenvironment: {A: "1", B: "2"}\nports: ["80:80"]',
      'environment: !override {C: "3"}\nports: !override ["81:81"]',
      { image: 'a', environment: { C: '3' }, ports: ['81:81'] },
    ],
  ])('%s', (_name, base, over, expected) => {
    const indent = (t: string) => t.replace(/^/gm, '    ');
    expect(svc(`services:\n  web:\n${indent(base)}\n`, `services:\n  web:\n${indent(over)}\n`)).toEqual(
      expected,
    );
  });
});

describe('mergeLayers: the document', () => {
  it('a service only in the override is added; one only in the base is kept', () => {
    expect(merged('services: {a: {image: a}}', 'services: {b: {image: b}}')).toEqual({
      services: { a: { image: 'a' }, b: { image: 'b' } },
    });
  });
  it('top-level networks, volumes, secrets and configs are replaced whole by name (docker)', () => {
    expect(
      merged(
        'networks: {hostnet: {driver: overlay, ipam: {config: [{subnet: 10.0.0.0/20}]}}, keep: {}}\nvolumes: {v: {driver: local}}',
        'networks: {hostnet: {external: {name: host}}}\nvolumes: {v: {driver_opts: {a: b}}}',
      ),
    ).toEqual({
      networks: { hostnet: { external: { name: 'host' } }, keep: {} },
      volumes: { v: { driver_opts: { a: 'b' } } },
    });
  });
  it('!reset removes a whole service; three files merge in order', () => {
    expect(
      merged(
        'services: {a: {image: a:1}, b: {image: b}}',
        'services: {a: {image: a:2}, b: !reset {}}',
        'services: {a: {image: a:3, user: u}}',
      ),
    ).toEqual({ services: { a: { image: 'a:3', user: 'u' } } });
  });
  it('!reset on an environment entry holds over three files: a later file may set it again', () => {
    const env = (...texts: string[]) =>
      (merged(...texts) as { services: { a: { environment: unknown } } }).services.a.environment;
    expect(
      env(
        'services: {a: {image: a, environment: {A: "1", B: "2"}}}',
        'services: {a: {environment: {A: !reset null}}}',
        'services: {a: {environment: [B=3]}}',
      ),
    ).toEqual({ B: '3' });
    expect(
      env(
        'services: {a: {image: a, environment: {A: "1"}}}',
        'services: {a: {environment: [!reset A]}}',
        'services: {a: {environment: {A: "4"}}}',
      ),
    ).toEqual({ A: '4' });
  });
  it('!reset in the first file drops the value there', () => {
    expect(merged('services: {a: {image: a, user: !reset u}}')).toEqual({ services: { a: { image: 'a' } } });
  });
  it('an environment entry without a value in the override takes the variable, as docker resolves it first', () => {
    const l = layers(
      'services: {a: {image: a, environment: {A: "1", B: "2"}}}',
      'services: {a: {environment: [A, B]}}',
    );
    expect(mergeLayers(l, { env: { A: 'from-env' } }).value).toEqual({
      services: { a: { image: 'a', environment: { A: 'from-env', B: '2' } } },
    });
  });
  it('locates a path in the file that last wrote it, with its line there', () => {
    const m = mergeLayers(
      layers('services:\n  web:\n    image: a\n    user: u\n', '\n\nservices:\n  web:\n    image: b\n'),
      { env: {} },
    );
    expect(m.locate(['services', 'web', 'image'])).toEqual({ file: 'over1.yml', line: 5 });
    expect(m.locate(['services', 'web', 'user'])).toEqual({ file: 'base.yml', line: 4 });
    expect(m.locate(['services', 'web'])).toEqual({ file: 'over1.yml', line: 4 });
    expect(m.locate(['networks'])).toEqual({ file: 'base.yml', line: 1 });
  });
});

// One shape per key (keys a, b hold scalars, c, d mappings): a mapping written over a scalar
// replaces it, so the law holds for documents that agree on their shape, as compose files do.
const leaf = fc.oneof(fc.string({ maxLength: 3 }), fc.integer(), fc.boolean());
const mapping: fc.Arbitrary<Record<string, unknown>> = fc.letrec((tie) => ({
  m: fc.record(
    {
      a: leaf,
      b: leaf,
      c: fc.oneof({ depthSize: 'small' }, fc.constant({}), tie('m')),
      d: fc.oneof({ depthSize: 'small' }, fc.constant({}), tie('m')),
    },
    { requiredKeys: [] },
  ),
})).m as fc.Arbitrary<Record<string, unknown>>;
const plain = (value: unknown): ComposeLayer => ({ file: 'f.yml', value, lineOf: () => undefined });

describe('mergeLayers: laws', () => {
  it('merging with an empty override is the identity', () => {
    fc.assert(
      fc.property(mapping, (m) => {
        expect(mergeLayers([plain(m), plain({})], { env: {} }).value).toEqual(m);
        expect(mergeLayers([plain({}), plain(m)], { env: {} }).value).toEqual(m);
      }),
    );
  });
  it('merge is associative for mappings of scalars and mappings', () => {
    fc.assert(
      fc.property(mapping, mapping, mapping, (a, b, c) => {
        const ab = mergeLayers([plain(a), plain(b)], { env: {} }).value;
        const bc = mergeLayers([plain(b), plain(c)], { env: {} }).value;
        const left = mergeLayers([plain(ab), plain(c)], { env: {} }).value;
        const right = mergeLayers([plain(a), plain(bc)], { env: {} }).value;
        expect(left).toEqual(right);
        expect(mergeLayers([plain(a), plain(b), plain(c)], { env: {} }).value).toEqual(left);
      }),
    );
  });
});
