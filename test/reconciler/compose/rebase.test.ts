import { describe, expect, it } from 'vitest';
import { rebaseFiles, rebasePath, rebaseService } from '../../../reconciler/compose/rebase.js';

// A service or a resource written in common/base.yml and used from stack.yml (one folder up).
const FROM = 'common/base.yml';
const TO = 'stack.yml';

describe('rebasePath: a path written in one file, for another folder', () => {
  it.each([
    ['./app.env', './common/app.env'],
    ['app.env', './common/app.env'],
    ['../shared/x', './shared/x'],
    ['.', './common'],
    ['/etc/app.env', '/etc/app.env'],
    ['~/app.env', '~/app.env'],
    ['a/b~', './common/a/b~'],
    ['a/', './common/a'],
  ])('%s -> %s', (rel, want) => expect(rebasePath(rel, FROM, TO)).toBe(want));

  it('a path back to the folder of the target is "."', () =>
    expect(rebasePath('..', 'common/base.yml', 'stack.yml')).toBe('.'));
});

describe('rebaseService: the relative paths of a service taken from another file', () => {
  it('rebases env files (one or a list) and bind sources, and leaves the rest as written', () => {
    expect(
      rebaseService(
        {
          image: 'app',
          env_file: ['./a.env', { path: './b.env' }],
          volumes: [
            './data:/data',
            'named:/named',
            '/abs:/abs',
            'plain',
            ':/nothing',
            { type: 'bind', source: './conf', target: '/conf' },
            { type: 'volume', source: 'named', target: '/v' },
            { type: 'bind', target: '/nosource' },
          ],
        },
        FROM,
        TO,
      ),
    ).toEqual({
      image: 'app',
      env_file: ['./common/a.env', { path: './b.env' }],
      volumes: [
        './common/data:/data',
        'named:/named',
        '/abs:/abs',
        'plain',
        ':/nothing',
        { type: 'bind', source: './common/conf', target: '/conf' },
        { type: 'volume', source: 'named', target: '/v' },
        { type: 'bind', target: '/nosource' },
      ],
    });
    expect(rebaseService({ env_file: './one.env' }, FROM, TO)).toEqual({ env_file: './common/one.env' });
  });

  it('a service from a file of the same folder is returned as it is', () => {
    const svc = { env_file: './a.env', volumes: ['./d:/d'] };
    expect(rebaseService(svc, 'base.yml', 'stack.yml')).toBe(svc);
  });
});

describe('rebaseFiles: configs and secrets with file:', () => {
  it('rebases file: and leaves other sources and non-mappings alone', () => {
    expect(
      rebaseFiles(
        { c: { file: './c.conf' }, e: { environment: 'X' }, x: { external: true }, n: null, s: 'odd' },
        FROM,
        TO,
      ),
    ).toEqual({
      c: { file: './common/c.conf' },
      e: { environment: 'X' },
      x: { external: true },
      n: null,
      s: 'odd',
    });
  });

  it('the same folder, or no mapping, is returned as it is', () => {
    const objects = { c: { file: './c.conf' } };
    expect(rebaseFiles(objects, 'a.yml', 'b.yml')).toBe(objects);
    expect(rebaseFiles(['x'], FROM, TO)).toEqual(['x']);
  });
});
