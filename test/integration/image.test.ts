/**
 * The controller image, built for real against $DOCKER_HOST by deploy/image/build.sh (base images from
 * the npm-installed Node 24, node_modules/.bin/node, then the multi-stage Dockerfile), and the Swarm
 * stack file that runs it. Its Node is the tests' own (asserted below).
 * BUILD_ARGS from the environment pass through to `docker build`.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const image = 'swarmkeeper:dev';
const runLabel = 'swarmkeeper.test.image';
const docker = new Docker();
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Splits a non-TTY container log (8-byte frame headers: stream, 0, 0, 0, uint32 length). */
function demux(buf: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  for (let i = 0; i + 8 <= buf.length;) {
    const len = buf.readUInt32BE(i + 4);
    (buf[i] === 2 ? err : out).push(buf.subarray(i + 8, i + 8 + len));
    i += 8 + len;
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** Runs the image to completion (create, start, poll until it exits, read logs, remove). */
async function run(cmd: string[], entrypoint?: string[], timeoutMs = 30_000): Promise<RunResult> {
  const container = await docker.createContainer({
    Image: image,
    Cmd: cmd,
    ...(entrypoint ? { Entrypoint: entrypoint } : {}),
    Labels: { [runLabel]: '1' },
    HostConfig: { NetworkMode: 'none' },
  });
  try {
    await container.start();
    const deadline = Date.now() + timeoutMs;
    let state = (await container.inspect()).State;
    while (state.Running || state.Status === 'created') {
      if (Date.now() > deadline)
        throw new Error(`container ${cmd.join(' ')} still running after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
      state = (await container.inspect()).State;
    }
    const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    return { exitCode: state.ExitCode, ...demux(logs) };
  } finally {
    await container.remove({ force: true });
  }
}

/** `node -e SCRIPT` in the image; the script is ESM (top-level await). */
const nodeEval = (script: string): Promise<RunResult> => run(['--input-type=module', '-e', script], ['node']);

async function removeTestContainers(): Promise<void> {
  const left = await docker.listContainers({ all: true, filters: { label: [runLabel] } });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true })));
}

describe('controller image (deploy/image/build.sh)', () => {
  let buildOutput = '';

  beforeAll(async () => {
    await removeTestContainers();
    const env = { ...process.env };
    if (!env['DOCKER'] && existsSync('/usr/bin/docker')) env['DOCKER'] = '/usr/bin/docker';
    const r = await promisify(execFile)('bash', [join(root, 'deploy/image/build.sh'), image], {
      cwd: root,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    buildOutput = r.stderr;
  }, 900_000);

  afterAll(removeTestContainers);

  it('builds the image as a non-root user with the CLI as entrypoint', async () => {
    expect(buildOutput).toMatch(new RegExp(`built ${image} in \\d+s, \\d+ MB`));
    const info = await docker.getImage(image).inspect();
    expect(info.Config.User).toBe('10001:10001');
    expect(info.Config.Entrypoint).toEqual(['node', '/app/bin/swarmkeeper.js']);
    expect(info.Config.Cmd).toEqual(['run']);
    expect(info.Config.Labels['org.opencontainers.image.version']).toBe(version);
    expect(info.Size).toBeLessThan(400_000_000);
  });

  it('prints the package version with --version', async () => {
    const r = await run(['--version']);
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    expect(r.stdout.trim()).toBe(version);
  });

  it('lists the commands with --help and fails on an unknown one', async () => {
    const help = await run(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/Usage: swarmkeeper/);
    expect(help.stdout).toMatch(/\bapply\b/);
    const bad = await run(['no-such-command']);
    expect(bad.exitCode).not.toBe(0);
  });

  it('runs as uid 10001 with a CA bundle, the runtime dependencies and no dev dependencies', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const deps = Object.keys(pkg.dependencies);
    const r = await nodeEval(`
      import { existsSync, statSync } from 'node:fs';
      import { createRequire } from 'node:module';
      import { userInfo } from 'node:os';
      const require = createRequire('/app/package.json');
      const loaded = [];
      for (const d of ${JSON.stringify(deps)}) { await import(require.resolve(d)); loaded.push(d); }
      console.log(JSON.stringify({
        uid: process.getuid(), user: userInfo().username, node: process.versions.node,
        ca: statSync('/etc/ssl/certs/ca-certificates.crt').size > 1000,
        tmpWritable: (statSync('/tmp').mode & 0o1777) === 0o1777,
        loaded,
        dev: ['typescript', 'vitest', 'eslint', 'fast-check'].filter((d) => existsSync('/app/node_modules/' + d)),
        shell: existsSync('/bin/sh'),
      }));`);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      uid: 10001,
      user: 'swarmkeeper',
      node: process.versions.node,
      ca: true,
      tmpWritable: true,
      loaded: deps,
      dev: [],
      shell: false,
    });
  });

  it.each([
    [200, 0],
    [503, 1],
  ])('healthcheck.mjs: /healthz answering %i exits %i', async (status, code) => {
    const r = await nodeEval(`
      import { createServer } from 'node:http';
      import { execFile } from 'node:child_process';
      const server = createServer((req, res) => { res.statusCode = req.url === '/healthz' ? ${status} : 404; res.end(); });
      server.listen(9464, '127.0.0.1', () => {
        execFile(process.execPath, ['/app/healthcheck.mjs'], (err) => {
          console.log(err ? err.code : 0);
          server.close();
        });
      });`);
    expect(r.stdout.trim()).toBe(String(code));
  });

  it('healthcheck.mjs fails when nothing listens', async () => {
    const r = await run(['/app/healthcheck.mjs', 'http://127.0.0.1:1/healthz'], ['node']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/healthcheck: http:\/\/127\.0\.0\.1:1\/healthz/);
  });
});

describe('Dockerfile', () => {
  it('copies every source folder that tsconfig.build.json compiles', () => {
    const include = (
      JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[] }
    ).include;
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const dockerignore = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    const present = include.filter((dir) => existsSync(join(root, dir)));
    expect(present.length).toBeGreaterThan(0);
    for (const dir of present) {
      expect(dockerfile, `Dockerfile must COPY ${dir}`).toMatch(new RegExp(`^COPY ${dir} \\./${dir}$`, 'm'));
      expect(dockerignore, `.dockerignore must allow ${dir}`).toContain(`!${dir}`);
    }
  });
});

describe('deploy/swarm/swarmkeeper.yml', () => {
  interface Service {
    image: string;
    command?: string[];
    user?: string;
    environment?: Record<string, string>;
    volumes?: (string | { type: string; source: string; target: string; read_only?: boolean })[];
    healthcheck?: { test: string[] };
    deploy: {
      endpoint_mode?: string;
      placement: { constraints: string[] };
      restart_policy?: { condition: string };
      update_config?: { order: string };
    };
  }
  const stack = parse(readFileSync(join(root, 'deploy/swarm/swarmkeeper.yml'), 'utf8')) as {
    version: string;
    services: Record<string, Service>;
    volumes: Record<string, unknown>;
  };
  const controller = stack.services['controller']!;
  const redis = stack.services['redis']!;

  it('runs the controller on managers only, with the Docker socket and the GitOps directory', () => {
    expect(controller.deploy.placement.constraints).toContain('node.role == manager');
    expect(controller.volumes).toContainEqual({
      type: 'bind',
      source: '${DOCKER_SOCKET:-/var/run/docker.sock}',
      target: '/var/run/docker.sock',
    });
    expect(controller.volumes).toContainEqual(
      expect.objectContaining({ target: '/config', read_only: true }),
    );
    expect(controller.command).toEqual(expect.arrayContaining(['run', '--source', 'dir=/config']));
    expect(controller.user).toMatch(/^10001:\$\{DOCKER_GID:\?/);
  });

  it('points the controller at the redis service and probes /healthz', () => {
    expect(controller.environment?.['REDIS_URL']).toBe('redis://redis:6379');
    const listen = controller.command![controller.command!.indexOf('--listen') + 1]!;
    const port = listen.split(':').at(-1);
    expect(controller.healthcheck?.test).toEqual([
      'CMD',
      'node',
      '/app/healthcheck.mjs',
      `http://127.0.0.1:${port}/healthz`,
    ]);
    expect(controller.deploy.restart_policy?.condition).toBe('any');
    expect(controller.deploy.update_config?.order).toBe('start-first');
  });

  it('runs redis on managers with a volume, and no service needs a virtual IP', () => {
    expect(redis.image).toMatch(/redis:7/);
    expect(redis.deploy.placement.constraints).toContain('node.role == manager');
    expect(redis.volumes).toContain('redis-data:/data');
    expect(Object.keys(stack.volumes)).toContain('redis-data');
    for (const s of Object.values(stack.services)) expect(s.deploy.endpoint_mode).toBe('dnsrr');
  });
});
