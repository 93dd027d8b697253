import { describe, expect, it } from 'vitest';
import { skError } from '../../../reconciler/errors.js';
import { COMPOSE_FILE_NAME, failedFile } from '../../../reconciler/source/classify.js';

const err = skError('YAML_SYNTAX', 'bad');

describe('COMPOSE_FILE_NAME', () => {
  it.each([
    ['compose.yml', true],
    ['compose.yaml', true],
    ['docker-compose.yml', true],
    ['docker-compose.prod.yaml', true],
    ['compose.override.yml', true],
    ['my-compose.yml', false],
    ['compose.json', false],
    ['docker-compose.yml.bak', false],
    ['stack.yml', false],
  ])('%s: %s', (name, want) => {
    expect(COMPOSE_FILE_NAME.test(name)).toBe(want);
  });
});

describe('failedFile', () => {
  it('a compose file that failed still names its stack, by folder, carrying the error', () => {
    const out = failedFile('shop/docker-compose.yml', err, {
      baseDir: 'apps/shop',
      rootName: 'root',
      source: 'dir:x',
      revision: 'r1',
    });
    expect(out.errors).toEqual([]);
    expect(out.skipped).toEqual([]);
    expect(out.resources).toEqual([
      expect.objectContaining({
        key: 'SwarmStack/default/shop',
        kind: 'SwarmStack',
        namespace: 'default',
        name: 'shop',
        spec: { stackName: 'shop', composeFile: 'docker-compose.yml' },
        origin: { file: 'shop/docker-compose.yml', source: 'dir:x', revision: 'r1' },
        baseDir: 'apps/shop',
        fromComposeFile: true,
        loadError: err,
      }),
    ]);
  });

  it('at the root the stack is named after the root', () => {
    const out = failedFile('compose.yaml', err, { baseDir: '.', rootName: 'infra' });
    expect(out.resources.map((r) => [r.name, r.origin])).toEqual([['infra', { file: 'compose.yaml' }]]);
  });

  it.each([
    ['another file name', 'apps/x/stack.yml', 'apps/x'],
    ['a folder that is no Docker name', 'apps/-x/compose.yml', 'apps/-x'],
  ])('%s yields the error alone', (_n, file, baseDir) => {
    expect(failedFile(file, err, { baseDir, rootName: 'root' })).toEqual({
      resources: [],
      errors: [err],
      skipped: [],
    });
  });
});
