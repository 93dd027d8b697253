import { describe, expect, it } from 'vitest';
import { classifyFile, detectConflicts } from '../../../reconciler/source/classify.js';

const opts = { baseDir: 'web', rootName: 'examples' };

describe('classifyFile', () => {
  it.each([
    [
      'compose file: stack named after its folder',
      'services:\n  a:\n    image: x\n',
      opts,
      ['SwarmStack/default/web'],
    ],
    [
      'compose file at the root: stack named after the root',
      'services: {}\n',
      { baseDir: '.', rootName: 'examples' },
      ['SwarmStack/default/examples'],
    ],
    ['compose file with explicit name', 'name: shop\nservices: {}\n', opts, ['SwarmStack/default/shop']],
    [
      'two CRs in one file',
      'apiVersion: swarmkeeper.io/v1alpha1\nkind: SwarmNetwork\nmetadata: {name: n1}\n---\napiVersion: swarmkeeper.io/v1alpha1\nkind: SwarmStack\nmetadata: {name: s, namespace: prod}\nspec: {}\n',
      opts,
      ['SwarmNetwork/default/n1', 'SwarmStack/prod/s'],
    ],
    ['empty document', '', opts, []],
  ] as const)('%s', (_name, text, o, keys) => {
    const r = classifyFile('web/docker-compose.yml', text, o);
    expect(r.errors).toEqual([]);
    expect(r.resources.map((x) => x.key)).toEqual(keys);
  });

  it('a compose file becomes a SwarmStack pointing at the file', () => {
    const [r] = classifyFile('web/docker-compose.yml', 'services: {}\n', opts).resources;
    expect(r).toMatchObject({
      spec: { stackName: 'web', composeFile: 'docker-compose.yml' },
      baseDir: 'web',
      fromComposeFile: true,
    });
  });

  it.each([
    ['broken YAML', 'services:\n  a: [\n', 'web/docker-compose.yml:3: invalid YAML: '],
    ['scalar document', 'just a string\n', 'web/docker-compose.yml:1: expected a mapping at the top level'],
  ])('%s in a compose file: its stack (by folder) carries the error', (_name, text, message) => {
    const r = classifyFile('web/docker-compose.yml', text, opts);
    expect(r.errors).toEqual([]);
    expect(r.resources.map((x) => x.key)).toEqual(['SwarmStack/default/web']);
    expect(r.resources[0]?.loadError?.message.startsWith(message)).toBe(true);
  });

  it.each([
    ['broken YAML', 'services:\n  a: [\n', 'web/other.yml:3: invalid YAML: '],
    [
      'CR without a name',
      'apiVersion: swarmkeeper.io/v1alpha1\nkind: SwarmStack\nmetadata: {}\n',
      'web/docker-compose.yml:1: a swarmkeeper.io resource needs kind and metadata.name',
    ],
    [
      'bad stack name from top-level name',
      'name: "bad name"\nservices: {}\n',
      'web/docker-compose.yml: stack name "bad name" (from top-level name) is not a valid Docker name; set top-level `name:`',
    ],
  ])('%s is reported precisely', (_name, text, message) => {
    const r = classifyFile(message.split(':')[0]!, text, opts);
    expect(r.resources).toEqual([]);
    expect(r.errors[0]?.message.startsWith(message)).toBe(true);
  });

  it('skips foreign manifests and unknown documents', () => {
    const r = classifyFile('k.yaml', 'apiVersion: v1\nkind: ConfigMap\n---\nfoo: bar\n', opts);
    expect(r.resources).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.skipped).toEqual([
      'k.yaml:1: v1/ConfigMap',
      'k.yaml:4: neither a swarmkeeper.io resource nor a compose file',
    ]);
  });
});

describe('detectConflicts', () => {
  it('reports both claimants and applies neither', () => {
    const a = classifyFile('a/docker-compose.yml', 'name: s\nservices: {}\n', {
      baseDir: 'a',
      rootName: 'r',
      source: 'dir:r',
    }).resources;
    const b = classifyFile('b/docker-compose.yml', 'name: s\nservices: {}\n', {
      baseDir: 'b',
      rootName: 'r',
      source: 'git:x',
    }).resources;
    const c = classifyFile('c/docker-compose.yml', 'services: {}\n', {
      baseDir: 'c',
      rootName: 'r',
    }).resources;
    const r = detectConflicts([...a, ...b, ...c]);
    expect(r.unique.map((x) => x.key)).toEqual(['SwarmStack/default/c']);
    expect(r.errors.map((e) => e.message)).toEqual([
      'SwarmStack/default/s is defined more than once: dir:r:a/docker-compose.yml, git:x:b/docker-compose.yml; neither is applied',
    ]);
  });

  it('names each claimant by its file alone when it has no source', () => {
    const one = (dir: string) =>
      classifyFile(`${dir}/docker-compose.yml`, 'name: s\nservices: {}\n', { baseDir: dir, rootName: 'r' })
        .resources;
    expect(detectConflicts([...one('a'), ...one('b')]).errors.map((e) => e.message)).toEqual([
      'SwarmStack/default/s is defined more than once: a/docker-compose.yml, b/docker-compose.yml; neither is applied',
    ]);
  });
});
