import { describe, expect, it } from 'vitest';
import { loadComposeFiles } from '../../../reconciler/compose/load.js';
import { memFiles } from './helpers.js';

// A value found invalid once `extends` and `include` are resolved (the schema runs on the merged
// tree) names the file and line where it is written, not the service that inherited it.
const MAIN = 'app/stack.yml';

function loadError(text: string, files: Record<string, string> = {}): Error {
  try {
    loadComposeFiles([{ file: MAIN, text }], {
      env: {},
      files: memFiles({ [MAIN]: text, ...files }),
      bindRoot: '/srv',
    });
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('extends: a value found invalid after the merge is reported where it is written', () => {
  it.each([
    [
      'inherited from another file: that file and line',
      'services:\n  web:\n    extends: {file: other.yml, service: o}\n    hostname: h\n',
      { 'app/other.yml': 'services:\n  o:\n    image: a\n    deploy: {replicas: -1}\n' },
      ['app/other.yml:4: services.web.deploy.replicas:'],
    ],
    [
      'inherited through a chain in the same file: the base service line, for each service',
      'services:\n  base:\n    image: a\n    user: u\n    deploy:\n      replicas: -1\n  mid:\n    extends: base\n  web:\n    extends: mid\n    hostname: h\n',
      {},
      [
        'app/stack.yml:6: services.base.deploy.replicas:',
        'app/stack.yml:6: services.mid.deploy.replicas:',
        'app/stack.yml:6: services.web.deploy.replicas:',
      ],
    ],
    [
      'inherited through another file that extends a third: the third file',
      'services:\n  web:\n    extends: {file: ../lib/mid.yml, service: m}\n',
      {
        'lib/mid.yml': 'services:\n  m:\n    extends: {file: root.yml, service: r}\n    user: u\n',
        'lib/root.yml': 'services:\n  r:\n\n    image: "Bad Image"\n',
      },
      ['lib/root.yml:4: services.web.image:'],
    ],
    [
      'set by the extending service over the base: the extending file',
      'services:\n  web:\n    extends: {file: other.yml, service: o}\n    hostname: h\n    deploy: {replicas: -2}\n',
      { 'app/other.yml': 'services:\n  o:\n    image: a\n    deploy: {replicas: 1}\n' },
      ['app/stack.yml:5: services.web.deploy.replicas:'],
    ],
  ])('%s', (_n, text, files, messages) => {
    const e = loadError(text, files);
    for (const m of messages) expect(e.message).toContain(m);
  });

  it.each([
    [
      'an included service: the included file',
      { 'app/inc.yml': 'services:\n  s:\n    image: a\n    deploy: {replicas: -1}\n' },
      'include: [inc.yml]\n',
      'app/inc.yml:4: services.s.deploy.replicas:',
    ],
    [
      'an included service that extends another of its file',
      { 'app/inc.yml': 'services:\n  b:\n    image: a\n    deploy: {replicas: -1}\n  s:\n    extends: b\n' },
      'include: [inc.yml]\n',
      'app/inc.yml:4: services.s.deploy.replicas:',
    ],
    [
      'an include of several paths merged: the path that wrote the value',
      {
        'app/a.yml': 'services:\n  s:\n    image: a\n',
        'app/b.yml': 'services:\n  s:\n\n    deploy: {replicas: -1}\n',
      },
      'include:\n  - path: [a.yml, b.yml]\n',
      'app/b.yml:4: services.s.deploy.replicas:',
    ],
  ])('include, %s', (_n, files, text, message) => {
    expect(loadError(text, files).message).toContain(message);
  });

  it('several compose files: an inherited value of the overlay names the overlay base file', () => {
    const base = 'services:\n  web:\n    image: a\n';
    const over = 'services:\n  web:\n    extends: {file: common.yml, service: c}\n';
    let message = '';
    try {
      loadComposeFiles(
        [
          { file: MAIN, text: base },
          { file: 'app/prod.yml', text: over },
        ],
        {
          env: {},
          files: memFiles({ 'app/common.yml': 'services:\n  c:\n    user: u\n    deploy: {replicas: -1}\n' }),
        },
      );
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('app/common.yml:4: services.web.deploy.replicas:');
  });
});
