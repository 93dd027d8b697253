import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPath } from '../../../controllers/sources/dir-loader.js';
import { fsFileReader } from '../../../controllers/sources/fs-file-reader.js';
import { setSourceLimits, sourceLimits } from '../../../controllers/sources/safe-read.js';
import { desiredFor } from '../../../reconciler/desired/desired-for.js';
import { SECRET_HASH_KEY } from '../../reconciler/compose/helpers.js';
import { type TreeEntry, writeTree } from '../../support/file-tree.js';
import { errorOf } from '../../support/error-of.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const stack = (spec: string) =>
  `apiVersion: swarmkeeper.io/v1alpha1\nkind: SwarmStack\nmetadata:\n  name: web\nspec:\n${spec}`;
const BASE = 'services:\n  app:\n    image: img:${TAG}\n    environment:\n      LEVEL: ${LEVEL:-info}\n';
const PROD = 'services:\n  app:\n    deploy:\n      replicas: 2\n';

function tree(files: Record<string, TreeEntry>): string {
  const root = writeTree('sk-overlay-', files);
  dirs.push(root);
  return root;
}

function build(root: string) {
  const l = loadPath(root);
  const res = l.resources.find((r) => r.key === 'SwarmStack/default/web');
  if (!res) throw new Error(`no stack web: ${l.resources.map((r) => r.key).join(', ')}`);
  return desiredFor(res, { instanceId: 't', files: fsFileReader(l.root), secretHashKey: SECRET_HASH_KEY });
}
const imageOf = (root: string) =>
  (
    build(root).desired.objects.find((o) => o.kind === 'service')?.spec as {
      TaskTemplate: { ContainerSpec: { Image: string } };
    }
  ).TaskTemplate.ContainerSpec.Image;

describe('a SwarmStack beside its compose files in a directory source', () => {
  const files = {
    'prod/stack.yaml': stack('  composeFiles: [base.yml, prod.yml]\n  envFiles: [prod.env]\n'),
    'prod/base.yml': BASE,
    'prod/prod.yml': PROD,
    'prod/.env': 'TAG=1\n',
    'prod/prod.env': 'LEVEL=warn\n',
  };

  it('the compose files it names are not stacks of their own', () => {
    const l = loadPath(tree(files));
    expect(l.resources.map((r) => r.key)).toEqual(['SwarmStack/default/web']);
    expect(l.errors).toEqual([]);
    expect(l.skipped).toEqual([
      'prod/base.yml: a compose file of SwarmStack/default/web, not a stack of its own',
      'prod/prod.yml: a compose file of SwarmStack/default/web, not a stack of its own',
    ]);
    expect(imageOf(tree(files))).toBe('img:1');
  });

  it.each([
    ['the .env', 'prod/.env', 'TAG=2\n', true],
    ['a listed env file', 'prod/prod.env', 'LEVEL=debug\n', true],
    ['the overlay', 'prod/prod.yml', `${PROD}      labels: [a=b]\n`, true],
    ['an unrelated file', 'prod/notes.txt', 'hello\n', false],
  ])('an edit to %s alone is a new revision: %s', (_n, path, text, changes) => {
    const root = tree({ ...files, 'prod/notes.txt': 'hi\n' });
    const before = loadPath(root);
    const desired = JSON.stringify(build(root).desired);
    writeFileSync(join(root, path), text);
    const after = loadPath(root);
    expect(after.revision !== before.revision).toBe(changes);
    expect(after.resources[0]?.origin.revision !== before.resources[0]?.origin.revision).toBe(changes);
    // the plan sees the edit: the desired state differs
    expect(JSON.stringify(build(root).desired) !== desired).toBe(changes);
  });

  it('a .env that appears or goes away is a new revision too', () => {
    const { 'prod/.env': _, ...rest } = files;
    const root = tree({
      ...rest,
      'prod/stack.yaml': stack('  composeFiles: [base.yml, prod.yml]\n  env: {TAG: "9"}\n'),
    });
    const before = loadPath(root).revision;
    writeFileSync(join(root, 'prod/.env'), 'LEVEL=x\n');
    expect(loadPath(root).revision).not.toBe(before);
  });
});

describe('hostile compose and env file entries are refused precisely', () => {
  const outside = tree({
    'secret.yml': 'services:\n  x:\n    image: stolen\n',
    'secret.env': 'TAG=stolen\n',
  });
  const base = {
    'prod/base.yml': BASE,
    'prod/.env': 'TAG=1\n',
    'prod/out.yml': { link: join(outside, 'secret.yml') },
    'prod/out.env': { link: join(outside, 'secret.env') },
    'prod/adir.yml/x': 'x',
    'prod/adir.env/x': 'x',
  };
  it.each([
    [
      'a compose file linked out of the root',
      'composeFiles: [base.yml, out.yml]',
      'SK_ERR_FILE_REFUSED',
      'spec.composeFiles[1]: cannot read the compose file "prod/out.yml"',
    ],
    [
      'an env file linked out of the root',
      'composeFiles: [base.yml]\n  envFiles: [out.env]',
      'SK_ERR_FILE_REFUSED',
      'spec.envFiles[0]: cannot read the env file "prod/out.env"',
    ],
    [
      'a compose file that is a directory',
      'composeFiles: [base.yml, adir.yml]',
      'SK_ERR_FILE_REFUSED',
      'spec.composeFiles[1]: cannot read the compose file "prod/adir.yml": a directory',
    ],
    [
      'an env file that is a directory',
      'composeFiles: [base.yml]\n  envFiles: [adir.env]',
      'SK_ERR_FILE_REFUSED',
      'spec.envFiles[0]: cannot read the env file "prod/adir.env": a directory',
    ],
    [
      'a FIFO compose file',
      'composeFiles: [base.yml, pipe.yml]',
      'SK_ERR_FILE_REFUSED',
      'spec.composeFiles[1]: cannot read the compose file "prod/pipe.yml": a FIFO',
    ],
    [
      'a FIFO env file',
      'composeFiles: [base.yml]\n  envFiles: [pipe.env]',
      'SK_ERR_FILE_REFUSED',
      'spec.envFiles[0]: cannot read the env file "prod/pipe.env": a FIFO',
    ],
    [
      'a missing compose file',
      'composeFiles: [base.yml, gone.yml]',
      'SK_ERR_FILE_UNREADABLE',
      'spec.composeFiles[1]: cannot read the compose file "prod/gone.yml": no such file',
    ],
    [
      'a missing env file',
      'composeFiles: [base.yml]\n  envFiles: [gone.env]',
      'SK_ERR_FILE_UNREADABLE',
      'spec.envFiles[0]: cannot read the env file "prod/gone.env": no such file',
    ],
    [
      'a duplicate env file',
      'composeFiles: [base.yml]\n  envFiles: [a.env, a.env]',
      'SK_ERR_RESOURCE_INVALID',
      'spec.envFiles[1]: duplicate env file "a.env"',
    ],
  ])('%s', (_n, spec, code, message) => {
    const root = tree({ ...base, 'prod/stack.yaml': stack(`  ${spec}\n`), 'prod/a.env': 'A=1\n' });
    execFileSync('mkfifo', [join(root, 'prod/pipe.yml'), join(root, 'prod/pipe.env')]);
    const e = errorOf(() => build(root));
    expect(e.code).toBe(code);
    expect(e.message).toContain(message);
    expect(e.message).not.toContain('stolen');
  });

  it('a huge env file is refused past the per-file limit', () => {
    const before = { ...sourceLimits() };
    try {
      setSourceLimits({ maxFileBytes: 1000 });
      const root = tree({
        ...base,
        'prod/stack.yaml': stack('  composeFiles: [base.yml]\n  envFiles: [big.env]\n'),
        'prod/big.env': `A=${'x'.repeat(5000)}\n`,
      });
      const e = errorOf(() => build(root));
      expect(e.code).toBe('SK_ERR_FILE_REFUSED');
      expect(e.message).toContain('spec.envFiles[0]: cannot read the env file "prod/big.env"');
    } finally {
      setSourceLimits(before);
    }
  });

  it('odd but valid names are read as written', () => {
    const root = tree({
      'prod/stack.yaml': stack('  composeFiles: ["bäse file.yml", "-prod.yml"]\n  envFiles: ["é t.env"]\n'),
      'prod/bäse file.yml': BASE,
      'prod/-prod.yml': PROD,
      'prod/é t.env': 'TAG=u1\n',
    });
    expect(imageOf(root)).toBe('img:u1');
  });
});

describe('examples/shop: a base, a prod overlay, a .env, an env file, a profile and a deploy hook', () => {
  it('every example loads; shop-prod is the merged prod stack without the debug profile', () => {
    const l = loadPath(fileURLToPath(new URL('../../../examples', import.meta.url)));
    expect(l.errors).toEqual([]);
    const built = l.resources.map((r) =>
      desiredFor(r, { instanceId: 't', files: fsFileReader(l.root), secretHashKey: SECRET_HASH_KEY }),
    );
    const shop = built[l.resources.findIndex((r) => r.key === 'SwarmStack/default/shop-prod')];
    const services = shop?.desired.objects.filter((o) => o.kind === 'service') ?? [];
    expect(services.map((s) => s.name)).toEqual(['shop_migrate', 'shop_shop']);
    expect(services[0]?.spec).toMatchObject({
      Labels: { 'swarmkeeper.io/hook': 'pre-deploy' },
      Mode: { ReplicatedJob: {} },
    });
    expect(services[1]?.spec).toMatchObject({
      Mode: { Replicated: { Replicas: 2 } },
      TaskTemplate: { ContainerSpec: { Image: 'local/busybox:1', Env: ['LOG_LEVEL=warn', 'SHOP_ENV=prod'] } },
    });
  });
});

describe('include and extends in a directory source', () => {
  it('files a compose file includes or extends are not stacks of their own', () => {
    const root = tree({
      'app/docker-compose.yml':
        'include: [db.yml]\nservices:\n  web:\n    extends: {file: ../shared/base.yml, service: base}\n',
      'app/db.yml': 'services:\n  db:\n    image: local/busybox:1\n',
      'shared/base.yml': 'services:\n  base:\n    image: local/busybox:1\n    user: u\n',
    });
    const l = loadPath(root);
    expect(l.errors).toEqual([]);
    expect(l.resources.map((r) => r.key)).toEqual(['SwarmStack/default/app']);
    const d = desiredFor(l.resources[0]!, {
      instanceId: 't',
      files: fsFileReader(l.root),
      secretHashKey: SECRET_HASH_KEY,
    });
    expect(
      d.desired.objects
        .filter((o) => o.kind === 'service')
        .map((o) => o.name)
        .sort(),
    ).toEqual(['app_db', 'app_web']);
  });

  it('an extended or included file linked out of the root is refused at the line naming it', () => {
    const outside = tree({ 'x.yml': 'services:\n  s:\n    image: stolen\n' });
    const root = tree({
      'app/docker-compose.yml':
        'services:\n  web:\n    image: local/busybox:1\n    extends: {file: out.yml, service: s}\n',
      'app/out.yml': { link: join(outside, 'x.yml') },
      'inc/docker-compose.yml': 'include: [out.yml]\nservices: {}\n',
      'inc/out.yml': { link: join(outside, 'x.yml') },
    });
    const l = loadPath(root);
    for (const [name, where] of [
      ['app', 'app/docker-compose.yml:4: services.web.extends'],
      ['inc', 'inc/docker-compose.yml:1: include[0]'],
    ] as const) {
      const res = l.resources.find((r) => r.name === name)!;
      const e = errorOf(() =>
        desiredFor(res, { instanceId: 't', files: fsFileReader(l.root), secretHashKey: SECRET_HASH_KEY }),
      );
      expect(e.code).toBe('SK_ERR_FILE_REFUSED');
      expect(e.message).toContain(`${where}: cannot read the compose file`);
      expect(e.message).not.toContain('stolen');
    }
  });
});
