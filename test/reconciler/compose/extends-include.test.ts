import { describe, expect, it } from 'vitest';
import { type ComposeProject, loadComposeFiles } from '../../../reconciler/compose/load.js';
import type { SwarmkeeperError } from '../../../reconciler/errors.js';
import { memFiles } from './helpers.js';

const MAIN = 'app/stack.yml';

function load(text: string, files: Record<string, string> = {}): ComposeProject {
  return loadComposeFiles([{ file: MAIN, text }], {
    env: { TAG: '7' },
    files: memFiles({ [MAIN]: text, ...files }),
    bindRoot: '/srv',
  });
}
function loadError(text: string, files: Record<string, string> = {}): SwarmkeeperError {
  try {
    load(text, files);
  } catch (e) {
    return e as SwarmkeeperError;
  }
  throw new Error('expected an error');
}

// Expected results written by hand from the compose spec (extends, include) and the merge rules.
describe('extends', () => {
  it.each([
    [
      'same file, mapping form: the service merges over the one it extends',
      'services:\n  base:\n    image: a:${TAG}\n    command: [run]\n    environment: {A: "1", B: "2"}\n  web:\n    extends: {service: base}\n    command: [serve]\n    environment: [B=3]\n',
      { image: 'a:7', command: ['serve'], environment: { A: '1', B: '3' } },
    ],
    [
      'same file, string form, through a chain',
      'services:\n  root:\n    image: a\n    user: u\n  mid:\n    extends: root\n    hostname: h\n  web:\n    extends: mid\n    user: w\n',
      { image: 'a', user: 'w', hostname: 'h' },
    ],
  ])('%s', (_n, text, expected) => {
    expect(load(text).services['web']).toEqual(expected);
  });

  it('another file: its relative paths stay relative to it; only the service is taken', () => {
    const p = load(
      'services:\n  web:\n    extends: {file: ../common/base.yml, service: app}\n    hostname: h\nvolumes: {named: {}}\n',
      {
        'common/base.yml':
          'services:\n  app:\n    image: b:${TAG}\n    env_file: app.env\n    volumes: ["./data:/data", "named:/n"]\nvolumes: {named: {}}\n',
        'common/app.env': 'FROM_FILE=1\n',
      },
    );
    expect(p.services['web']).toMatchObject({
      image: 'b:7',
      hostname: 'h',
      environment: { FROM_FILE: '1' },
      volumes: [
        { type: 'bind', source: '/srv/common/data', target: '/data' },
        { type: 'volume', source: 'named', target: '/n' },
      ],
    });
  });

  it.each([
    [
      'a cycle in one file',
      'services:\n  a:\n    image: x\n    extends: b\n  b:\n    extends: a\n',
      {},
      'app/stack.yml:4: services.a.extends: extends cycle: app/stack.yml service a -> app/stack.yml service b -> app/stack.yml service a',
    ],
    [
      'a cycle across files, reported at the extends the chain comes back to',
      'services:\n  web:\n    extends: {file: other.yml, service: o}\n',
      { 'app/other.yml': 'services:\n  o:\n    extends: {file: stack.yml, service: web}\n' },
      'app/stack.yml:3: services.web.extends: extends cycle: app/stack.yml service web -> app/other.yml service o -> app/stack.yml service web',
    ],
    [
      'a service the file does not define',
      'services:\n  web:\n    extends: nope\n',
      {},
      'app/stack.yml:3: services.web.extends: service "nope" is not defined in this file',
    ],
    [
      'a service another file does not define',
      'services:\n  web:\n    image: x\n    extends: {file: other.yml, service: nope}\n',
      { 'app/other.yml': 'services: {}\n' },
      'app/stack.yml:4: services.web.extends: service "nope" is not defined in app/other.yml',
    ],
    [
      'a service name that is not a string',
      'services:\n  web:\n    image: x\n    extends: {service: 5}\n',
      {},
      'app/stack.yml:4: services.web.extends: expected a service name or a mapping {service, file}',
    ],
    [
      'a file name that is not a string',
      'services:\n  web:\n    image: x\n    extends: {service: s, file: [a.yml]}\n',
      {},
      'app/stack.yml:4: services.web.extends: expected a service name or a mapping {service, file}',
    ],
    [
      'a number',
      'services:\n  web:\n    image: x\n    extends: 5\n',
      {},
      'app/stack.yml:4: services.web.extends: expected a service name or a mapping {service, file}',
    ],
    [
      'a service missing from the other file',
      'services:\n  web:\n    extends: {file: other.yml, service: nope}\n',
      { 'app/other.yml': 'services:\n  o:\n    image: a\n' },
      'app/stack.yml:3: services.web.extends: service "nope" is not defined in app/other.yml',
    ],
    [
      'another file that is not YAML',
      'services:\n  web:\n    extends: {file: other.yml, service: o}\n',
      { 'app/other.yml': 'services:\n  o: {image: a\n' },
      'app/stack.yml:3: services.web.extends: cannot read the compose file "app/other.yml": line ',
    ],
    [
      'a missing file',
      'services:\n  web:\n    image: x\n    extends: {file: gone.yml, service: s}\n',
      {},
      'app/stack.yml:4: services.web.extends: cannot read the compose file "app/gone.yml": ENOENT',
    ],
    [
      'a problem inside the other file names that file and line',
      'services:\n  web:\n    extends: {file: other.yml, service: o}\n',
      { 'app/other.yml': 'services:\n  o:\n    image: ${BAD:?needed}\n' },
      'app/other.yml:3: services.o.image: required variable BAD is missing a value: needed',
    ],
    [
      // the extending service sets labels too: merged first, the wrong shape was lost
      'a value of the wrong shape in the other file',
      'services:\n  web:\n    extends: {file: other.yml, service: o}\n    labels: {a: "1"}\n',
      { 'app/other.yml': 'services:\n  o:\n    image: a\n    labels: oops\n' },
      'app/other.yml:4: services.o.labels: expected a list of "KEY=VALUE" strings or a mapping',
    ],
    [
      'an unknown key',
      'services:\n  web:\n    image: x\n    extends: {service: s, project: p}\n',
      {},
      'app/stack.yml:4: services.web.extends: unknown key project (extends takes service and file)',
    ],
  ])('%s is a precise error', (_n, text, files, message) => {
    expect(loadError(text, files).message).toContain(message);
  });
});

describe('extends in a file read for extends or include (was rejected as an unknown key)', () => {
  it('a chain across files: the extended service extends a service of a third file', () => {
    const p = load('services:\n  web:\n    extends: {file: ../lib/mid.yml, service: m}\n', {
      'lib/mid.yml': 'services:\n  m:\n    extends: {file: root.yml, service: r}\n    user: u\n',
      'lib/root.yml': 'services:\n  r:\n    image: a\n',
    });
    expect(p.services['web']).toEqual({ image: 'a', user: 'u' });
  });
  it('an included file whose services use extends', () => {
    const p = load('include: [inc.yml]\n', {
      'app/inc.yml': 'services:\n  b:\n    image: a\n  s:\n    extends: b\n    user: u\n',
    });
    expect(p.services['s']).toEqual({ image: 'a', user: 'u' });
  });
  it('a wrong extends in such a file is still reported there', () => {
    expect(
      loadError('include: [inc.yml]\n', { 'app/inc.yml': 'services:\n  s:\n    image: a\n    extends: 5\n' })
        .message,
    ).toContain('app/inc.yml:4: services.s.extends: expected a service name or a mapping {service, file}');
  });
});

describe('extends without a file reader (an inline compose document)', () => {
  it('another file is an error naming it', () => {
    let message = '';
    try {
      loadComposeFiles(
        [{ file: MAIN, text: 'services:\n  web:\n    extends: {file: o.yml, service: o}\n' }],
        {
          env: {},
        },
      );
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(
      'app/stack.yml:3: services.web.extends: cannot read the compose file "app/o.yml": no file reader is available',
    );
  });
});

describe('include', () => {
  it('adds the included services and resources, their paths relative to their file', () => {
    const p = load('include: [../db/compose.yml]\nservices:\n  web:\n    image: w\n    configs: [dbconf]\n', {
      'db/compose.yml':
        'services:\n  db:\n    image: pg:${TAG}\n    env_file: db.env\nconfigs:\n  dbconf:\n    file: ./db.conf\nvolumes: {dbdata: {}}\n',
      'db/db.env': 'PG=1\n',
      'db/db.conf': 'x',
    });
    expect(Object.keys(p.services).sort()).toEqual(['db', 'web']);
    expect(p.services['db']).toMatchObject({ image: 'pg:7', environment: { PG: '1' } });
    expect(p.configs['dbconf']).toMatchObject({ file: '../db/db.conf' });
    expect(Object.keys(p.volumes)).toEqual(['dbdata']);
  });

  it('a list of paths from several folders: each path is rebased to the including file, and the merge sees the variables', () => {
    const p = load('include:\n  - path: [sub/a.yml, other/b.yml]\nservices: {}\n', {
      'app/sub/a.yml':
        'services:\n  s:\n    image: s:1\n    environment: {A: "1"}\nsecrets:\n  k: {file: ./k.txt}\n',
      'app/other/b.yml': 'services:\n  s:\n    environment: [TAG]\nconfigs:\n  c: {file: ./c.conf}\n',
    });
    expect(p.services['s']).toMatchObject({ image: 's:1', environment: { A: '1', TAG: '7' } });
    expect(p.configs['c']).toMatchObject({ file: './other/c.conf' });
    expect(p.secrets['k']).toMatchObject({ file: './sub/k.txt' });
  });

  it('a list of paths merges like several compose files', () => {
    const p = load('include:\n  - path: [a.yml, b.yml]\nservices: {}\n', {
      'app/a.yml': 'services:\n  s:\n    image: s:1\n    user: u\n',
      'app/b.yml': 'services:\n  s:\n    image: s:2\n',
    });
    expect(p.services['s']).toEqual({ image: 's:2', user: 'u' });
  });

  it.each([
    [
      'a name defined by both',
      'include: [a.yml]\nservices:\n  s:\n    image: mine\n',
      { 'app/a.yml': 'services:\n  s:\n    image: theirs\n' },
      'app/stack.yml:3: services.s: services.s conflicts with the one included from app/a.yml',
    ],
    [
      'a cycle',
      'include: [a.yml]\nservices: {}\n',
      { 'app/a.yml': 'include: [stack.yml]\nservices: {}\n' },
      'app/a.yml:1: include[0]: include cycle: app/stack.yml -> app/a.yml -> app/stack.yml',
    ],
    [
      'a file including itself',
      'include: [stack.yml]\nservices: {}\n',
      {},
      'app/stack.yml:1: include[0]: include cycle',
    ],
    [
      'a missing file',
      'include: [gone.yml]\nservices: {}\n',
      {},
      'app/stack.yml:1: include[0]: cannot read the compose file "app/gone.yml"',
    ],
    [
      'project_directory',
      'include:\n  - path: a.yml\n    project_directory: ..\nservices: {}\n',
      { 'app/a.yml': 'services: {}\n' },
      'app/stack.yml:3: include[0].project_directory: project_directory is not supported by swarmkeeper',
    ],
    [
      'a value of the wrong shape in the included file names that file and line',
      'include: [a.yml]\nservices:\n  web:\n    image: w\n',
      { 'app/a.yml': 'services:\n  db:\n    image: a\n    labels: oops\n' },
      'app/a.yml:4: services.db.labels: expected a list of "KEY=VALUE" strings or a mapping',
    ],
    [
      'an empty list of paths',
      'include:\n  - path: []\nservices: {}\n',
      {},
      'app/stack.yml:2: include[0]: expected a path or a mapping {path: a path or a list of paths}',
    ],
    [
      'a path that is not a string',
      'include:\n  - path: [a.yml, 1]\nservices: {}\n',
      { 'app/a.yml': 'services: {}\n' },
      'app/stack.yml:2: include[0]: expected a path or a mapping {path: a path or a list of paths}',
    ],
    [
      'an entry without a path',
      'include:\n  - {}\nservices: {}\n',
      {},
      'app/stack.yml:2: include[0]: expected a path or a mapping {path: a path or a list of paths}',
    ],
    [
      'env_file',
      'include:\n  - path: a.yml\n    env_file: a.env\nservices: {}\n',
      { 'app/a.yml': 'services: {}\n' },
      'app/stack.yml:3: include[0].env_file: env_file is not supported by swarmkeeper',
    ],
    [
      'an unknown key',
      'include:\n  - path: a.yml\n    paths: b.yml\nservices: {}\n',
      { 'app/a.yml': 'services: {}\n' },
      'app/stack.yml:3: include[0].paths: unknown key paths (include takes path)',
    ],
    [
      'a file including itself',
      'include: [stack.yml]\nservices: {}\n',
      {},
      'app/stack.yml:1: include[0]: include cycle: app/stack.yml -> app/stack.yml',
    ],
    [
      'an included file that is not a mapping',
      'include: [a.yml]\nservices: {}\n',
      { 'app/a.yml': '- a\n' },
      'app/a.yml:1: expected a mapping',
    ],
    [
      'not a list',
      'include: a.yml\nservices: {}\n',
      {},
      'app/stack.yml:1: include: expected a list of paths or {path} mappings',
    ],
  ])('%s is a precise error', (_n, text, files, message) => {
    expect(loadError(text, files).message).toContain(message);
  });
});
