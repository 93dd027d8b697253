// The stand-ins of lazy-modules.ts, in a fresh Node process each (the module cache of the test
// worker may hold these packages already): which modules loading dockerode, BullMQ and prom-client
// pulls in with and without them, and that each stand-in loads the real module when used.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFERRED_BUILTINS, DEFERRED_MODULES, deferredFile } from '../../controllers/lazy-modules.js';

const LAZY = fileURLToPath(new URL('../../controllers/lazy-modules.ts', import.meta.url));

/** Runs `body` (ES module code, `require` and `loaded(pkg)` in scope) in a new Node process; returns its JSON output. */
function inFreshNode(defer: boolean, body: string): Record<string, unknown> {
  const script = `
    import { createRequire } from 'node:module';
    import { deferUnusedModules } from ${JSON.stringify(LAZY)};
    const require = createRequire(${JSON.stringify(LAZY)});
    // more than one file: a stand-in is one file (the package's main file, or its parent's)
    // (luxon is one file, and never stood in for)
    const loaded = (part) =>
      Object.keys(require.cache).filter((f) => f.includes('/node_modules/' + part + '/')).length >
      (part === 'luxon' ? 0 : 1);
    const out = {};
    ${defer ? 'out.deferred = deferUnusedModules().length;' : ''}
    ${body}
    process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`child failed (${String(r.status)}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const PACKAGES = `
  require('dockerode'); require('bullmq'); require('prom-client').collectDefaultMetrics();
  for (const p of ['ssh2', '@grpc/grpc-js', 'protobufjs', 'cron-parser', 'luxon', '@opentelemetry/api'])
    out[p] = loaded(p);
  out.postgres = Object.keys(require.cache).some((f) => f.includes('/bullmq/dist/cjs/postgres/') && require.cache[f].loaded && f.endsWith('postgres-queue-backend.js'));
  out.docker = typeof new (require('dockerode'))({ socketPath: '/nonexistent.sock' }).listServices;
  out.queue = typeof require('bullmq').Queue;
  out.tls = process.moduleLoadList.includes('NativeModule tls');
  out.https = process.moduleLoadList.includes('NativeModule https');`;

describe('deferUnusedModules', () => {
  it('finds every module it stands in for in this install', () => {
    for (const m of DEFERRED_MODULES) expect(deferredFile(m), m.request).toMatch(/\.c?js$/);
  });

  it.each([
    [false, true],
    [true, false],
  ])(
    'deferred %s: dockerode, BullMQ and prom-client load ssh2, gRPC, cron-parser, OpenTelemetry, tls: %s',
    (defer, loaded) => {
      const out = inFreshNode(defer, PACKAGES);
      expect(out).toMatchObject({
        ssh2: loaded,
        '@grpc/grpc-js': loaded,
        protobufjs: loaded,
        'cron-parser': loaded,
        luxon: loaded,
        '@opentelemetry/api': loaded,
        postgres: loaded,
        tls: loaded,
        https: loaded,
        docker: 'function',
        queue: 'function',
      });
      if (defer) expect(out['deferred']).toBe(DEFERRED_MODULES.length + DEFERRED_BUILTINS.length);
    },
  );

  it('a stand-in loads the real module on first use', () => {
    const out = inFreshNode(
      true,
      `
      require('dockerode'); require('bullmq');
      // tls, as ioredis's connector requires it (first: ssh2 loads it too): the builtin on first use, then the builtin itself
      const tls = createRequire(require.resolve('ioredis'))('tls');
      out.tlsBefore = process.moduleLoadList.includes('NativeModule tls');
      out.connect = tls.connect === (await import('node:tls')).connect;
      out.tlsAfter = process.moduleLoadList.includes('NativeModule tls');
      out.tlsCached = require('tls') === require('node:tls');
      // docker-modem's ssh transport: a call gives an http.Agent from ssh2
      const modem = createRequire(require.resolve('dockerode'));
      const ssh = createRequire(modem.resolve('docker-modem'))('./ssh.js');
      out.sshBefore = loaded('ssh2');
      out.agent = ssh({ host: 'localhost' }).constructor.name;
      out.sshAfter = loaded('ssh2');
      // cron-parser, read by property as BullMQ's job scheduler does
      const cron = createRequire(require.resolve('bullmq'))('cron-parser');
      out.cronBefore = loaded('cron-parser');
      out.next = cron.CronExpressionParser.parse('0 0 1 1 *', { currentDate: '2026-06-01T00:00:00Z', tz: 'UTC' }).next().toISOString();
      out.cronAfter = loaded('cron-parser');
`,
    );
    expect(out).toMatchObject({
      sshBefore: false,
      agent: 'Agent',
      sshAfter: true,
      cronBefore: false,
      next: '2027-01-01T00:00:00.000Z',
      cronAfter: true,
      tlsBefore: false,
      connect: true,
      tlsAfter: true,
      tlsCached: true,
    });
  });

  it("docker-modem's https stand-in: a TLS Docker host's first request reaches Node's https and OpenSSL", () => {
    const out = inFreshNode(
      true,
      `
      const Docker = require('dockerode');
      const docker = new Docker({ protocol: 'https', host: '127.0.0.1', port: 1, ca: 'x', cert: 'y', key: 'z' });
      out.before = process.moduleLoadList.includes('NativeModule https');
      out.error = await docker.listServices().then(() => 'none', (e) => e.code);
      out.after = process.moduleLoadList.includes('NativeModule https');
`,
    );
    // the PEM texts are not certificates: OpenSSL says so when https builds the request's agent
    expect(out).toEqual({
      deferred: DEFERRED_MODULES.length + DEFERRED_BUILTINS.length,
      before: false,
      error: 'ERR_OSSL_PEM_NO_START_LINE',
      after: true,
    });
  });

  it('leaves modules that are already loaded alone', () => {
    const out = inFreshNode(false, `require('dockerode'); out.files = deferUnusedModules();`);
    const files = out['files'] as string[];
    // and docker-modem loaded https, and https tls
    expect(files).toHaveLength(DEFERRED_MODULES.length - 2);
    expect(
      files.filter((f) => /dockerode\/lib\/session\.js$|docker-modem\/lib\/ssh\.js$|^(tls|https)$/.test(f)),
    ).toEqual([]);
  });
});
