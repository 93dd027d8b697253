import { describe, expect, it } from 'vitest';
import { type ComposeLayer, mergeLayers } from '../../../reconciler/compose/merge.js';
import { parseYaml } from '../../../reconciler/compose/parse.js';

/** The service `web` after merging `over` into `base` (YAML of the service's fields). */
function web(base: string, over: string, env: Record<string, string> = {}): unknown {
  const layers: ComposeLayer[] = [base, over].map((fields, i) => {
    const file = i === 0 ? 'base.yml' : 'over.yml';
    const text = `services:\n  web:\n${fields
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n')}\n`;
    const { value, lineOf } = parseYaml(file, text);
    return { file, value, lineOf };
  });
  return (mergeLayers(layers, { env }).value as { services: { web: unknown } }).services.web;
}

const long = (target: number, published?: number, protocol = 'tcp') => ({
  target,
  ...(published === undefined ? {} : { published }),
  protocol,
  mode: 'ingress',
});

// Expected values written by hand from docker/cli's merge.go transformers and the compose spec's
// merge rules (README: "Environments"). toStrictEqual: an absent key is not an undefined one.
describe('service merge rules', () => {
  it.each([
    [
      'a long-syntax port without protocol is tcp: the same port with protocol tcp replaces it',
      'ports: [{target: 80, published: 8080}]',
      'ports: [{target: 81, published: 8080, protocol: tcp}]',
      { ports: [{ target: 81, published: 8080, protocol: 'tcp' }] },
    ],
    [
      'a long-syntax port on udp and one on tcp are two ports',
      'ports: [{target: 53, published: 53, protocol: udp}]',
      'ports: [{target: 53, published: 53}]',
      {
        ports: [
          { target: 53, published: 53, protocol: 'udp' },
          { target: 53, published: 53 },
        ],
      },
    ],
    [
      'unpublished long-syntax ports are keyed by target',
      'ports: [{target: 80}, {target: 90}]',
      'ports: [{target: 81}, {target: 90, mode: host}]',
      { ports: [{ target: 80 }, { target: 90, mode: 'host' }, { target: 81 }] },
    ],
    [
      'a short port with a host address is kept as written, sorted by its published port',
      'ports: ["127.0.0.1:9090:90"]',
      'ports: ["8080:80"]',
      { ports: [long(80, 8080), '127.0.0.1:9090:90'] },
    ],
    [
      'a short-syntax range becomes one entry per port, each replacing the same port',
      'ports: ["8001:90"]',
      'ports: ["8000-8001:80-81"]',
      { ports: [long(80, 8000), long(81, 8001)] },
    ],
    [
      'an unpublished short port has no published key',
      'ports: ["80"]',
      'ports: ["443"]',
      { ports: [long(80), long(443)] },
    ],
    [
      'a port that does not parse is kept as written (validation reports it)',
      'ports: ["8080:80"]',
      'ports: ["a80:80", "80x:80"]',
      { ports: ['a80:80', '80x:80', long(80, 8080)] },
    ],
    [
      'a port entry of another type is kept as written (validation reports it)',
      'ports: ["8080:80"]',
      'ports: [true]',
      { ports: [true, long(80, 8080)] },
    ],
    [
      'volumes without a target are kept each (validation reports them)',
      'volumes: [{type: volume, source: a}, ":::"]',
      'volumes: [{type: volume, source: b}]',
      {
        volumes: [{ type: 'volume', source: 'a' }, ':::', { type: 'volume', source: 'b' }],
      },
    ],
    [
      'secrets without a source are kept each (validation reports them)',
      'secrets: [{target: /run/a}]',
      'secrets: [{target: /run/b}, db]',
      { secrets: [{ target: '/run/a' }, { target: '/run/b' }, 'db'] },
    ],
    [
      'a service network set to null in the base takes the override entry',
      'networks: {front: null}',
      'networks: {front: {aliases: [x]}}',
      { networks: { front: { aliases: ['x'] } } },
    ],
    [
      'a service network listed by name in the override keeps the base entry',
      'networks: {front: {aliases: [w]}}',
      'networks: [front]',
      { networks: { front: { aliases: ['w'] } } },
    ],
    [
      'a network entry merges key by key; a null in the override keeps the base',
      'networks: {front: {aliases: [w], ipv4_address: 10.0.0.2, priority: 5}}',
      'networks: {front: {aliases: [x], priority: null}}',
      { networks: { front: { aliases: ['x'], ipv4_address: '10.0.0.2', priority: 5 } } },
    ],
    [
      'network driver_opts replace when the base has none',
      'networks: {front: {aliases: [w]}}',
      'networks: {front: {driver_opts: {b: "2"}}}',
      { networks: { front: { aliases: ['w'], driver_opts: { b: '2' } } } },
    ],
    [
      'logging with the same driver named twice merges options',
      'logging: {driver: json-file, options: {max-size: 1m}}',
      'logging: {driver: json-file, options: {max-file: "3"}}',
      { logging: { driver: 'json-file', options: { 'max-size': '1m', 'max-file': '3' } } },
    ],
    [
      'logging: a driver set by the override alone is kept with the base options',
      'logging: {options: {max-size: 1m}}',
      'logging: {driver: local}',
      { logging: { driver: 'local', options: { 'max-size': '1m' } } },
    ],
    [
      'logging: options set by the override alone',
      'logging: {driver: local}',
      'logging: {options: {max-size: 1m}}',
      { logging: { driver: 'local', options: { 'max-size': '1m' } } },
    ],
    [
      'logging without options on either side gets none',
      'logging: {driver: local}',
      'logging: {driver: local}',
      { logging: { driver: 'local' } },
    ],
    [
      'logging of another shape replaces (validation reports it)',
      'logging: {driver: local}',
      'logging: syslog',
      { logging: 'syslog' },
    ],
    [
      'an empty entrypoint string keeps the base (docker mergeShellCommand)',
      'entrypoint: [/init]',
      'entrypoint: ""',
      { entrypoint: ['/init'] },
    ],
    [
      'labels in list form: a name without a value is ""',
      'labels: [tier]',
      'labels: {a: "1"}',
      { labels: { tier: '', a: '1' } },
    ],
    [
      'a list entry that starts with "=" has an empty name (validation reports it)',
      'environment: {A: "1"}',
      'environment: ["=x"]',
      { environment: { A: '1', '': 'x' } },
    ],
    [
      'list entries that are not strings are dropped by the merge (validation reports them)',
      'environment: {A: "1"}',
      'environment: [5, B=2]',
      { environment: { A: '1', B: '2' } },
    ],
    [
      'a scalar where a mapping belongs merges as an empty mapping (validation reports it)',
      'labels: 5',
      'labels: {a: "1"}',
      { labels: { a: '1' } },
    ],
  ])('%s', (_n, base, over, expected) => {
    expect(web(base, over)).toStrictEqual(expected);
  });

  it.each([
    ['a variable that is set takes its value', { B: 'from-env' }, { A: '1', B: 'from-env' }],
    ['a variable that is not set is kept without a value', {}, { A: '1', B: null }],
  ])('an environment name without a value in the override: %s', (_n, env, expected) => {
    expect(web('environment: {A: "1"}', 'environment: [B]', env)).toStrictEqual({ environment: expected });
  });
});
