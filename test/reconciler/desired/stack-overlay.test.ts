import { describe, expect, it } from 'vitest';
import { desiredFor } from '../../../reconciler/desired/desired-for.js';
import {
  composeReferences,
  dropClaimedComposeFiles,
  stackInputFiles,
} from '../../../reconciler/desired/stack-files.js';
import type { ServiceSpec } from '../../../reconciler/model/engine-types.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import { memFiles, SECRET_HASH_KEY } from '../compose/helpers.js';
import { errorOf } from '../../support/error-of.js';

const res = (spec: Record<string, unknown>): DesiredResource => ({
  key: 'SwarmStack/default/web',
  kind: 'SwarmStack',
  namespace: 'default',
  name: 'web',
  spec,
  origin: { file: 'envs/prod/stack.yaml' },
  baseDir: 'envs/prod',
});

const BASE = 'services:\n  app:\n    image: img:${TAG}\n    environment:\n      LEVEL: ${LEVEL:-info}\n';
const PROD = 'services:\n  app:\n    deploy:\n      replicas: 3\n    environment:\n      LEVEL: warn\n';

function build(
  spec: Record<string, unknown>,
  files: Record<string, string>,
  vars: Record<string, string> = {},
) {
  return desiredFor(res(spec), {
    instanceId: 'i',
    files: memFiles(files),
    secretHashKey: SECRET_HASH_KEY,
    env: { vars, allow: ['TAG', 'LEVEL'] },
  });
}
const app = (d: ReturnType<typeof build>): ServiceSpec => {
  const o = d.desired.objects.find((x) => x.kind === 'service' && x.name === 'web_app');
  if (!o || o.kind !== 'service') throw new Error('no service web_app');
  return o.spec;
};

describe('spec.composeFiles', () => {
  const files = {
    'envs/prod/base/compose.yml': BASE,
    'envs/prod/prod.yml': PROD,
    'envs/prod/base/.env': 'TAG=1\n',
  };
  it('merges the files in order; the .env beside the first is read', () => {
    const s = app(build({ composeFiles: ['base/compose.yml', 'prod.yml'] }, files));
    expect(s.TaskTemplate.ContainerSpec.Image).toBe('img:1');
    expect(s.TaskTemplate.ContainerSpec.Env).toEqual(['LEVEL=warn']);
    expect(s.Mode).toEqual({ Replicated: { Replicas: 3 } });
  });
  it('one file in composeFiles equals composeFile', () => {
    expect(build({ composeFiles: ['base/compose.yml'] }, files).desired).toEqual(
      build({ composeFile: 'base/compose.yml' }, files).desired,
    );
  });
  it("a problem names the overlay's file and line when the overlay wrote the value", () => {
    const e = errorOf(() =>
      build(
        { composeFiles: ['base/compose.yml', 'prod.yml'] },
        { ...files, 'envs/prod/prod.yml': 'services:\n  app:\n    deploy:\n      replicas: many\n' },
      ),
    );
    expect(e.code).toBe('SK_ERR_COMPOSE_INVALID');
    expect(e.message).toMatch(/^envs\/prod\/prod\.yml:4: services\.app\.deploy\.replicas: /);
  });
  it("a problem in the base names the base's file and line", () => {
    const e = errorOf(() =>
      build(
        { composeFiles: ['base/compose.yml', 'prod.yml'] },
        { ...files, 'envs/prod/base/compose.yml': `${BASE}    user: [x]\n` },
      ),
    );
    expect(e.message).toMatch(/^envs\/prod\/base\/compose\.yml:6: services\.app\.user: /);
  });
  it.each([
    [
      'a missing overlay',
      ['base/compose.yml', 'nope.yml'],
      'SK_ERR_FILE_UNREADABLE',
      'envs/prod/stack.yaml: SwarmStack/default/web: spec.composeFiles[1]: cannot read the compose file "envs/prod/nope.yml": ENOENT',
    ],
    [
      'a duplicate entry',
      ['prod.yml', './prod.yml'],
      'SK_ERR_RESOURCE_INVALID',
      'spec.composeFiles[1]: duplicate compose file "./prod.yml"',
    ],
    [
      'an entry leaving the source',
      ['../x.yml'],
      'SK_ERR_RESOURCE_INVALID',
      'spec.composeFiles[0]: must be a relative path',
    ],
    [
      'an absolute entry',
      ['/etc/passwd'],
      'SK_ERR_RESOURCE_INVALID',
      'spec.composeFiles[0]: must be a relative path',
    ],
    ['an empty list', [], 'SK_ERR_RESOURCE_INVALID', 'spec.composeFiles: must have at least 1 items'],
  ])('%s is a precise error', (_n, list, code, message) => {
    const e = errorOf(() => build({ composeFiles: list }, files));
    expect(e.code).toBe(code);
    expect(e.message).toContain(message);
  });
  it('composeFile and composeFiles together are refused', () => {
    const e = errorOf(() => build({ composeFile: 'prod.yml', composeFiles: ['prod.yml'] }, files));
    expect(e.message).toContain('set only one of compose, composeFile or composeFiles');
  });
});

describe('interpolation precedence: spec.env > envFiles (later wins) > allowed process variables > .env', () => {
  const files = {
    'envs/prod/c.yml': 'services:\n  app:\n    image: img:${TAG}\n',
    'envs/prod/.env': 'TAG=dotenv\n',
    'envs/prod/a.env': 'TAG=a\n',
    'envs/prod/b.env': '# b\nTAG=b\n',
    'envs/prod/other.env': 'OTHER=1\n',
  };
  it.each([
    ['.env alone', {}, {}, 'dotenv'],
    ['an allowed process variable over .env', {}, { TAG: 'proc' }, 'proc'],
    ['an env file over the process', { envFiles: ['a.env'] }, { TAG: 'proc' }, 'a'],
    ['a later env file over an earlier one', { envFiles: ['a.env', 'b.env'] }, {}, 'b'],
    ['an earlier env file when the later lacks the name', { envFiles: ['a.env', 'other.env'] }, {}, 'a'],
    ['spec.env over everything', { envFiles: ['a.env'], env: { TAG: 'spec' } }, { TAG: 'proc' }, 'spec'],
  ])('%s', (_n, spec, vars, tag) => {
    const s = app(build({ composeFile: 'c.yml', ...spec }, files, vars));
    expect(s.TaskTemplate.ContainerSpec.Image).toBe(`img:${tag}`);
  });
  it('a missing listed env file is an error naming the stack and path; a missing .env is fine', () => {
    const e = errorOf(() => build({ composeFile: 'c.yml', envFiles: ['gone.env'] }, files));
    expect(e.code).toBe('SK_ERR_FILE_UNREADABLE');
    expect(e.message).toContain(
      'envs/prod/stack.yaml: SwarmStack/default/web: spec.envFiles[0]: cannot read the env file "envs/prod/gone.env"',
    );
    const { 'envs/prod/.env': _, ...noDotEnv } = files;
    expect(
      app(build({ composeFile: 'c.yml', env: { TAG: 'x' } }, noDotEnv)).TaskTemplate.ContainerSpec.Image,
    ).toBe('img:x');
  });
  it('a bad line in an env file names the file and line', () => {
    const e = errorOf(() =>
      build(
        { composeFile: 'c.yml', envFiles: ['bad.env'] },
        { ...files, 'envs/prod/bad.env': 'A=1\nB C=2\n' },
      ),
    );
    expect(e.code).toBe('SK_ERR_COMPOSE_INTERPOLATION');
    expect(e.message).toContain(
      'spec.envFiles[0]: envs/prod/bad.env: line 2: variable "B C" contains whitespace',
    );
  });
  it('envFiles with an inline compose document are refused', () => {
    const e = errorOf(() => build({ compose: { services: {} }, envFiles: ['a.env'] }, files));
    expect(e.message).toContain('env files go with composeFile or composeFiles');
  });
});

describe('spec.profiles', () => {
  const compose = [
    'services:',
    '  app: {image: app}',
    '  debug: {image: dbg, profiles: [debug]}',
    '  tools: {image: tools, profiles: [ops, debug]}',
    '  always: {image: a, profiles: []}',
  ].join('\n');
  const names = (spec: Record<string, unknown>, text = compose) =>
    build({ composeFile: 'c.yml', ...spec }, { 'envs/prod/c.yml': text })
      .desired.objects.filter((o) => o.kind === 'service')
      .map((o) => o.name)
      .sort();
  it.each([
    ['none enabled', undefined, ['web_always', 'web_app']],
    ['debug', ['debug'], ['web_always', 'web_app', 'web_debug', 'web_tools']],
    ['ops', ['ops'], ['web_always', 'web_app', 'web_tools']],
    ['an unknown profile', ['nope'], ['web_always', 'web_app']],
  ])('%s', (_n, profiles, expected) => {
    expect(names(profiles === undefined ? {} : { profiles })).toEqual(expected);
  });
  it('an enabled service depending on a disabled one is an error with compose advice', () => {
    const text =
      'services:\n  app:\n    image: app\n    depends_on: [db]\n  db:\n    image: db\n    profiles: [data]\n';
    const e = errorOf(() => names({}, text));
    expect(e.code).toBe('SK_ERR_COMPOSE_INVALID');
    expect(e.message).toContain(
      'envs/prod/c.yml:4: services.app.depends_on: service "db" is a dependency of service "app" but is not enabled by the active profiles',
    );
    expect(names({ profiles: ['data'] }, text)).toEqual(['web_app', 'web_db']);
  });
  it('a bad profiles value is an error at its line', () => {
    const e = errorOf(() => names({}, 'services:\n  app:\n    image: app\n    profiles: debug\n'));
    expect(e.message).toContain('envs/prod/c.yml:4: services.app.profiles: expected a list of profile names');
  });
});

describe('files a stack reads (the revision covers them)', () => {
  it('compose files, the .env beside the first, env files', () => {
    expect(
      stackInputFiles(res({ composeFiles: ['base/compose.yml', './prod.yml'], envFiles: ['a.env'] })),
    ).toEqual(['envs/prod/base/compose.yml', 'envs/prod/prod.yml', 'envs/prod/base/.env', 'envs/prod/a.env']);
    expect(stackInputFiles(res({ compose: {} }))).toEqual([]);
  });
  it.each([
    ['a folder', 'envs/prod', 'c.yml', ['envs/prod/c.yml', 'envs/prod/.env']],
    ['the source root, "."', '.', 'c.yml', ['c.yml', '.env']],
    ['the source root, ""', '', 'c.yml', ['c.yml', '.env']],
    [
      'an absolute path, as is (the reader refuses it)',
      'envs/prod',
      '/etc/c.yml',
      ['/etc/c.yml', '/etc/.env'],
    ],
    ['a parent folder', 'envs/prod', '../base/c.yml', ['envs/base/c.yml', 'envs/base/.env']],
  ])('a stack in %s', (_n, baseDir, composeFile, expected) => {
    expect(stackInputFiles({ ...res({ composeFile }), baseDir })).toEqual(expected);
  });
  it('only a SwarmStack reads files; strings only', () => {
    expect(stackInputFiles({ ...res({ composeFile: 'c.yml' }), kind: 'SwarmNetwork' })).toEqual([]);
    expect(stackInputFiles(res({ composeFiles: ['a.yml', 5], envFiles: [null, 'e.env'] }))).toEqual([
      'envs/prod/a.yml',
      'envs/prod/.env',
      'envs/prod/e.env',
    ]);
  });
  it('a compose file a SwarmStack names is not a stack of its own', () => {
    const plain = (file: string): DesiredResource => ({
      ...res({ composeFile: file.split('/').pop() }),
      key: `SwarmStack/default/${file}`,
      origin: { file },
      fromComposeFile: true,
    });
    const out = dropClaimedComposeFiles([
      res({ composeFiles: ['base.yml', 'prod.yml'] }),
      plain('envs/prod/base.yml'),
      plain('envs/prod/prod.yml'),
      plain('envs/dev/docker-compose.yml'),
    ]);
    expect(out.resources.map((r) => r.origin.file)).toEqual([
      'envs/prod/stack.yaml',
      'envs/dev/docker-compose.yml',
    ]);
    expect(out.claimed).toEqual([
      'envs/prod/base.yml: a compose file of SwarmStack/default/web, not a stack of its own',
      'envs/prod/prod.yml: a compose file of SwarmStack/default/web, not a stack of its own',
    ]);
  });
});

describe('composeReferences: the compose files a plain compose file names itself', () => {
  const plain = (text: string | undefined, file = 'apps/web/docker-compose.yml'): DesiredResource => ({
    ...res({ composeFile: 'docker-compose.yml' }),
    origin: { file },
    fromComposeFile: true,
    ...(text === undefined ? {} : { text }),
  });
  it.each<[string, string | undefined, string[]]>([
    [
      'include entries, as strings, {path} and {path: [..]}',
      'include:\n  - a.yml\n  - path: b.yml\n  - path: [c.yml, ../d.yml]\n  - 5\n  - path: 6\n',
      ['apps/web/a.yml', 'apps/web/b.yml', 'apps/web/c.yml', 'apps/d.yml'],
    ],
    [
      'extends with a file; extends without one names none',
      'services:\n  a:\n    extends: {file: common.yml, service: x}\n  b:\n    extends: a\n  c: 5\n',
      ['apps/web/common.yml'],
    ],
    [
      'paths with variables and absolute paths are left out',
      'include:\n  - "${ENV}.yml"\n  - /etc/x.yml\n  - ok.yml\n',
      ['apps/web/ok.yml'],
    ],
    ['a file that does not parse', 'include: [a.yml\n', []],
    ['a document that is not a mapping', '- a.yml\n', []],
    ['no text (an inline document)', undefined, []],
    ['services that are not a mapping', 'services: [a]\ninclude: a.yml\n', []],
  ])('%s', (_n, text, want) => {
    expect(composeReferences(plain(text))).toEqual(want);
  });

  it('an included compose file is claimed by the file that includes it; a self-reference claims nothing', () => {
    const main = { ...plain('include: [db.yml, docker-compose.yml]\n'), key: 'SwarmStack/default/main' };
    const db = { ...plain('services: {db: {image: pg}}\n', 'apps/web/db.yml'), key: 'SwarmStack/default/db' };
    const out = dropClaimedComposeFiles([main, db]);
    expect(out.resources.map((r) => r.key)).toEqual(['SwarmStack/default/main']);
    expect(out.claimed).toEqual([
      'apps/web/db.yml: a compose file of SwarmStack/default/main, not a stack of its own',
    ]);
  });

  it('the first stack to name a file claims it', () => {
    const a = { ...res({ composeFiles: ['base.yml'] }), key: 'SwarmStack/default/a' };
    const b = { ...res({ composeFiles: ['base.yml'] }), key: 'SwarmStack/default/b' };
    const base = { ...plain('services: {}\n', 'envs/prod/base.yml'), key: 'SwarmStack/default/base' };
    expect(dropClaimedComposeFiles([a, b, base]).claimed).toEqual([
      'envs/prod/base.yml: a compose file of SwarmStack/default/a, not a stack of its own',
    ]);
  });
});

describe("a stack's compose input", () => {
  it("a plain compose file is loaded from the text the source read, not the file's text now", () => {
    const d = desiredFor(
      {
        ...res({ composeFile: 'docker-compose.yml' }),
        fromComposeFile: true,
        text: 'services:\n  app:\n    image: snapshot:1\n',
      },
      {
        instanceId: 'i',
        files: memFiles({ 'envs/prod/docker-compose.yml': 'services:\n  app:\n    image: changed:2\n' }),
        secretHashKey: SECRET_HASH_KEY,
      },
    );
    expect(app(d).TaskTemplate.ContainerSpec?.Image).toBe('snapshot:1');
  });

  it('a relative bind resolves under the bind root', () => {
    const compose = 'services:\n  app:\n    image: a\n    volumes: [./data:/data]\n';
    const d = desiredFor(res({ composeFile: 'c.yml' }), {
      instanceId: 'i',
      files: memFiles({ 'envs/prod/c.yml': compose }),
      secretHashKey: SECRET_HASH_KEY,
      bindRoot: '/srv/src',
    });
    expect(app(d).TaskTemplate.ContainerSpec?.Mounts?.[0]?.Source).toBe('/srv/src/envs/prod/data');
  });

  it('an inline document sees spec.env and the allowed process variables', () => {
    const d = desiredFor(
      res({ compose: { services: { app: { image: 'img:${TAG}', user: '${WHO}' } } }, env: { WHO: 'app' } }),
      {
        instanceId: 'i',
        files: memFiles({}),
        secretHashKey: SECRET_HASH_KEY,
        env: { vars: { TAG: '7', OTHER: 'x' }, allow: ['TAG'] },
      },
    );
    expect(app(d).TaskTemplate.ContainerSpec).toMatchObject({ Image: 'img:7', User: 'app' });
  });
});
