import { describe, expect, it } from 'vitest';
import { type ComposeProject, loadComposeFiles } from '../../../reconciler/compose/load.js';
import type { SwarmkeeperError } from '../../../reconciler/errors.js';
import { memFiles } from './helpers.js';

/** `docker stack deploy -c base.yml -c over.yml`, in memory. */
function load(base: string, over: string): ComposeProject {
  const files = { 'base.yml': base, 'over.yml': over };
  return loadComposeFiles(
    [
      { file: 'base.yml', text: base },
      { file: 'over.yml', text: over },
    ],
    { env: {}, files: memFiles(files), bindRoot: '/srv' },
  );
}
function loadError(base: string, over: string): string {
  try {
    load(base, over);
  } catch (e) {
    return (e as SwarmkeeperError).message;
  }
  throw new Error('expected an error');
}

const BASE = 'services:\n  web:\n    image: a\n';

// docker/cli validates each file against the schema before it merges them (CLI 28, checked with
// `docker stack config -c a.yml -c b.yml`): a wrong shape in one file is an error even where the next
// file sets the same field. Merged first, the override hid it.
describe('loadComposeFiles: each file is checked before the merge', () => {
  it.each([
    [
      'labels as a string, overridden by a mapping',
      `${BASE}    labels: oops\n`,
      'services:\n  web:\n    labels: {a: "1"}\n',
      'base.yml:4: services.web.labels:',
    ],
    [
      'ports as a string, overridden by a list',
      `${BASE}    ports: "80:80"\n`,
      'services:\n  web:\n    ports: ["81:81"]\n',
      'base.yml:4: services.web.ports:',
    ],
    [
      'environment as a number, overridden by a mapping',
      `${BASE}    environment: 5\n`,
      'services:\n  web:\n    environment: {A: "1"}\n',
      'base.yml:4: services.web.environment:',
    ],
    [
      'logging options as a number, overridden by a mapping',
      `${BASE}    logging: {driver: json-file, options: 3}\n`,
      'services:\n  web:\n    logging: {options: {max-size: 1m}}\n',
      'base.yml:4: services.web.logging.options:',
    ],
    [
      'dns as a mapping, overridden by a list',
      `${BASE}    dns: {a: 1}\n`,
      'services:\n  web:\n    dns: [1.1.1.1]\n',
      'base.yml:4: services.web.dns:',
    ],
    [
      'an unknown key in the override of a service',
      BASE,
      'services:\n  web:\n    replica: 3\n',
      'over.yml:3: services.web.replica: unknown key "replica"',
    ],
  ])('%s', (_n, base, over, expected) => {
    expect(loadError(base, over)).toContain(expected);
  });

  it.each([
    ['an override without an image', BASE, 'services:\n  web:\n    deploy: {replicas: 3}\n'],
    [
      'an override of one port of a service',
      `${BASE}    ports: ["80:80"]\n`,
      'services:\n  web:\n    ports: ["81:81"]\n',
    ],
    [
      'a network changed by the override alone',
      `${BASE}networks:\n  n: {driver: overlay}\n`,
      'networks:\n  n: {attachable: true}\n',
    ],
    [
      'a secret made external by the override',
      `${BASE}secrets:\n  s: {file: ./s}\n`,
      'secrets:\n  s: {external: true}\n',
    ],
    [
      'profiles in both files',
      `${BASE}    profiles: [debug]\n`,
      'services:\n  web:\n    profiles: [debug, ops]\n',
    ],
    ['a key docker ignores, in the override', BASE, 'services:\n  web:\n    build: ./web\n'],
    [
      'a value removed with !reset null',
      `${BASE}    ports: ["80:80"]\n`,
      'services:\n  web:\n    ports: !reset null\n',
    ],
  ])('a partial override is not an error: %s', (_n, base, over) => {
    expect(() => load(base, over)).not.toThrow();
  });
});

describe('loadComposeFiles: a problem in the merged project names the file that wrote the value', () => {
  it('an entry the override appended to a list', () => {
    expect(
      loadError(`${BASE}    extra_hosts: ["a:10.0.0.1"]\n`, 'services:\n  web:\n    extra_hosts: [nohost]\n'),
    ).toBe('over.yml:3: services.web.extra_hosts[1]: invalid extra host "nohost"; expected "host:ip"');
  });
  it('a value the base wrote, in a service the override changed', () => {
    expect(loadError(`${BASE}    extra_hosts: [nohost]\n`, 'services:\n  web:\n    user: app\n')).toBe(
      'base.yml:4: services.web.extra_hosts[0]: invalid extra host "nohost"; expected "host:ip"',
    );
  });
  it('documents without text (inline in a custom resource) are named without a line', () => {
    let message = '';
    try {
      loadComposeFiles(
        [
          { file: 'base.yml', document: { services: { web: { image: 'a' } } } },
          { file: 'over.yml', document: { services: { web: { extra_hosts: ['nohost'] } } } },
        ],
        { env: {} },
      );
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      'over.yml: services.web.extra_hosts[0]: invalid extra host "nohost"; expected "host:ip"',
    );
  });
});
