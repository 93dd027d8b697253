import { describe, expect, it } from 'vitest';
import { classifyFile } from '../../../reconciler/source/classify.js';

// Documents of one file, one at a time: lines, identity fields, empty documents, and when a
// compose-named file as a whole counts as failed (it then yields its stack carrying the error).
const opts = { baseDir: 'web', rootName: 'examples' };
const CR = 'apiVersion: swarmkeeper.io/v1alpha1\n';
const network = (name: string) => `${CR}kind: SwarmNetwork\nmetadata: {name: ${name}}\n`;

describe('classifyFile, document by document', () => {
  it('empty documents and comment-only documents are skipped silently, wherever they are', () => {
    const r = classifyFile('web/net.yaml', `---\n# nothing\n---\n${network('n1')}---\n~\n---\nnull\n`, opts);
    expect(r.errors).toEqual([]);
    expect(r.skipped).toEqual([]);
    expect(r.resources.map((x) => x.key)).toEqual(['SwarmNetwork/default/n1']);
  });

  it.each([
    ['a top-level list', '- a\n', 'web/x.yaml:5: expected a mapping at the top level'],
    [
      'a resource without a name',
      `${CR}kind: SwarmNetwork\nmetadata: {}\n`,
      'web/x.yaml:5: a swarmkeeper.io resource needs kind and metadata.name',
    ],
    [
      'a kind that is not a string',
      `${CR}kind: 5\nmetadata: {name: n}\n`,
      'web/x.yaml:5: a swarmkeeper.io resource needs kind and metadata.name',
    ],
    [
      'a name that is not a string',
      `${CR}kind: SwarmNetwork\nmetadata: {name: 7}\n`,
      'web/x.yaml:5: a swarmkeeper.io resource needs kind and metadata.name',
    ],
  ])('%s in the second document is reported at its own line', (_n, second, message) => {
    const r = classifyFile('web/x.yaml', `${network('n1')}---\n${second}`, opts);
    expect(r.resources.map((x) => x.key)).toEqual(['SwarmNetwork/default/n1']);
    expect(r.errors.map((e) => e.message)).toEqual([message]);
  });

  it('a foreign manifest in the second document is skipped at its own line', () => {
    const r = classifyFile('web/x.yaml', `${network('n1')}---\napiVersion: v1\nkind: Secret\n`, opts);
    expect(r.skipped).toEqual(['web/x.yaml:5: v1/Secret']);
  });

  it('a resource records the line of its document, its source and revision, and its generation', () => {
    const r = classifyFile(
      'web/x.yaml',
      `${network('n1')}---\n${CR}kind: SwarmNetwork\nmetadata: {name: n2, generation: 3}\n`,
      {
        ...opts,
        source: 'git:repo',
        revision: 'abc123',
      },
    );
    expect(r.resources.map((x) => [x.origin, x.generation])).toEqual([
      [{ file: 'web/x.yaml', source: 'git:repo', revision: 'abc123', line: 1 }, undefined],
      [{ file: 'web/x.yaml', source: 'git:repo', revision: 'abc123', line: 5 }, 3],
    ]);
    expect('generation' in r.resources[0]!).toBe(false);
  });

  it('a generation that is not a number is not taken', () => {
    const [r] = classifyFile(
      'x.yaml',
      `${CR}kind: SwarmNetwork\nmetadata: {name: n, generation: "3"}\n`,
      opts,
    ).resources;
    expect(r && 'generation' in r).toBe(false);
  });

  it('merge keys are applied (docker reads compose files with them)', () => {
    const text = `${CR}kind: SwarmNetwork\nmetadata: {name: n}\nx-base: &base {driver: overlay, attachable: true}\nspec:\n  <<: *base\n  attachable: false\n`;
    const [r] = classifyFile('x.yaml', text, opts).resources;
    expect(r?.spec).toEqual({ driver: 'overlay', attachable: false });
  });

  it('a YAML syntax error names the file, the line and the first line of the problem only', () => {
    const r = classifyFile('web/x.yaml', 'a: 1\nb: [\n', opts);
    expect(r.errors.map((e) => e.message)).toEqual([
      'web/x.yaml:3: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('a top-level name that is not a string does not name the stack; the folder does', () => {
    const r = classifyFile('web/docker-compose.yml', 'name: 123\nservices: {}\n', opts);
    expect(r.resources.map((x) => x.key)).toEqual(['SwarmStack/default/web']);
  });

  it('a folder name that is not a Docker name is reported as coming from the folder', () => {
    const r = classifyFile('my app/docker-compose.yml', 'services: {}\n', {
      baseDir: 'my app',
      rootName: 'r',
    });
    expect(r.errors.map((e) => e.message)).toEqual([
      'my app/docker-compose.yml: stack name "my app" (from the folder name) is not a valid Docker name; set top-level `name:`',
    ]);
  });
});

describe('classifyFile, a compose-named file as a whole', () => {
  it('a file with one good resource and one broken document keeps the resource and reports the error', () => {
    const r = classifyFile('web/docker-compose.yml', `${network('n1')}---\nb: [\n`, opts);
    expect(r.resources.map((x) => [x.key, x.loadError])).toEqual([['SwarmNetwork/default/n1', undefined]]);
    expect(r.errors).toHaveLength(1);
  });

  it('an identity error among the errors means no stack is made up for the file', () => {
    const r = classifyFile(
      'web/docker-compose.yml',
      `${CR}kind: SwarmNetwork\nmetadata: {}\n---\nb: [\n`,
      opts,
    );
    expect(r.resources).toEqual([]);
    expect(r.errors.map((e) => e.code)).toEqual(['SK_ERR_RESOURCE_INVALID', 'SK_ERR_YAML_SYNTAX']);
  });

  it('every document broken: its stack carries all the errors in one, and keeps what was skipped', () => {
    const r = classifyFile(
      'web/docker-compose.yml',
      'a: [\n---\napiVersion: v1\nkind: Secret\n---\n- x\n',
      opts,
    );
    expect(r.errors).toEqual([]);
    expect(r.skipped).toEqual(['web/docker-compose.yml:3: v1/Secret']);
    expect(r.resources.map((x) => x.key)).toEqual(['SwarmStack/default/web']);
    expect(r.resources[0]?.loadError?.message.split('\n')).toEqual([
      'web/docker-compose.yml:2: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
      'web/docker-compose.yml:6: expected a mapping at the top level',
    ]);
  });

  it('another file whose documents all failed reports each error on its own', () => {
    const r = classifyFile('web/net.yaml', 'a: [\n---\n- x\n', opts);
    expect(r.resources).toEqual([]);
    expect(r.errors.map((e) => e.message)).toEqual([
      'web/net.yaml:2: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
      'web/net.yaml:3: expected a mapping at the top level',
    ]);
  });
});
