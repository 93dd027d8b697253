// `swarmkeeper run` with a directory source only: which dependencies it leaves unloaded
// (controllers/lazy-modules.ts, and @kubernetes/client-node without --kube), and the GC that gives
// the young generation back once the start-up pass is over (controllers/runtime/idle-gc.ts).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_MAX_SEMI_SPACE_MIB } from '../../controllers/cli/launch.js';
import { ControllerProcess, killAll, waitFor } from './helpers/controller-process.js';
import { StatusReader, cleanupSwarm, labVars, tempSource, uniq } from './helpers/controller-swarm.js';

const id = uniq('skidle');
const STACK = uniq('i');
const KEY = `SwarmStack/default/${STACK}`;
const src = tempSource('sk-idle');
const status = new StatusReader(id);
const moduleLog = src.path('modules.txt');
const PROBE = fileURLToPath(new URL('../support/module-log.mjs', import.meta.url));
let ctl: ControllerProcess;
let modules: string[] = [];

/** Loaded module URLs that are files of this package (node_modules/<pkg>/...). */
const ofPackage = (pkg: string) => modules.filter((u) => u.includes(`/node_modules/${pkg}/`));

describe('swarmkeeper run, directory source only: what an idle controller holds', () => {
  beforeAll(async () => {
    mkdirSync(src.path('stacks', STACK), { recursive: true });
    writeFileSync(
      src.path('stacks', STACK, 'docker-compose.yml'),
      'services:\n  web:\n    image: local/busybox:1\n    command: ["sleep", "100000"]\n' +
        '    deploy: { replicas: 0, endpoint_mode: dnsrr }\n',
    );
    ctl = await ControllerProcess.start({
      instanceId: id,
      sources: [src.path('stacks')],
      redisUrl: labVars().redisUrl,
      logLevel: 'debug',
      env: { NODE_OPTIONS: `--import=${PROBE}`, SK_MODULE_LOG: moduleLog },
      label: 'idle',
    });
    await ctl.waitReady(60_000);
  });

  afterAll(async () => {
    await killAll();
    await cleanupSwarm(id);
    await status.purge();
    status.close();
    src.remove();
  });

  it('after the start-up pass, the young generation is given back (at most 2 x 8 MiB before)', async () => {
    await waitFor(`Ready=True on ${KEY}\n${ctl.tail()}`, 60_000, async () =>
      (await status.condition(KEY, 'Ready'))?.status === 'True' ? true : undefined,
    );
    // bin/swarmkeeper.js re-executed `run` in place (same pid) with one malloc arena and a
    // young generation of at most 2 x RUN_MAX_SEMI_SPACE_MIB
    const environ = readFileSync(`/proc/${ctl.pid}/environ`, 'utf8').split('\0');
    expect(environ).toContain('MALLOC_ARENA_MAX=1');
    const cmdline = readFileSync(`/proc/${ctl.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toContain(`--max-semi-space-size=${RUN_MAX_SEMI_SPACE_MIB}`);
    // Given back by the idle GC, or by V8 itself first: a controller starved of CPU (load 25+, or
    // a CPU quota) allocates slowly and V8 shrinks its young generation on its own, and the idle GC
    // leaves one under 4 MiB alone.
    const young = await waitFor(
      `a young generation under 4 MiB\n${ctl.tail()}`,
      90_000,
      async () => {
        const m = await ctl.metrics();
        const v = m.find(
          (s) =>
            s.name === 'swarmkeeper_process_nodejs_heap_space_size_total_bytes' &&
            s.labels['space'] === 'new',
        )?.value;
        return v !== undefined && v < 4 * 2 ** 20 ? v : undefined;
      },
      1000,
    );
    expect(young).toBeGreaterThan(0);
    for (const line of ctl.find('idle: memory of the last burst released')) {
      const [before, after] = line['youngMiB'] as [number, number];
      expect(before).toBeLessThanOrEqual(2 * RUN_MAX_SEMI_SPACE_MIB);
      expect(after).toBeLessThan(before);
      expect(after).toBeLessThan(4);
    }
  });

  it('loads neither client-node, ssh2, gRPC, cron-parser, OpenTelemetry, simple-git, fastify, the PostgreSQL backend nor tls', async () => {
    ctl.signal('SIGTERM');
    expect((await ctl.exited).code, ctl.tail()).toBe(0);
    modules = readFileSync(moduleLog, 'utf8').split('\n').filter(Boolean);
    // the log works: what run does need is in it (dockerode is inside the CLI bundle: not a file here)
    for (const pkg of ['bullmq', 'ioredis', 'prom-client'])
      expect(ofPackage(pkg).length, pkg).toBeGreaterThan(0);
    for (const pkg of [
      '@kubernetes/client-node',
      'ssh2',
      '@grpc/grpc-js',
      'protobufjs',
      'cron-parser',
      'luxon',
      '@opentelemetry/api',
      'simple-git', // only a git source loads it
      'fastify', // the HTTP server is node:http (controllers/observability/http-router.ts)
      'ajv',
    ])
      expect(ofPackage(pkg), pkg).toEqual([]);
    // nor Node's tls and https, which ioredis and docker-modem require at load (lazy-modules.ts);
    // the log has the builtins run does load
    expect(modules).toContain('builtin:net');
    expect(modules.filter((u) => /^builtin:(tls|https|_tls_wrap)$/.test(u))).toEqual([]);
    // BullMQ's index asks for postgres/index.js and gets the empty stand-in (the loader's hook sees
    // the request), so none of the backend's own files load
    expect(
      modules.filter((u) => u.includes('/bullmq/dist/cjs/postgres/') && !u.endsWith('/postgres/index.js')),
    ).toEqual([]);
  });
});

describe('swarmkeeper run --no-idle-gc', () => {
  const offId = uniq('sknogc');
  const offSrc = tempSource('sk-nogc');
  const offLog = offSrc.path('modules.txt');
  afterAll(async () => {
    await killAll();
    await cleanupSwarm(offId);
    offSrc.remove();
  });

  it('never starts the idle GC', async () => {
    const stack = uniq('n');
    mkdirSync(offSrc.path('stacks', stack), { recursive: true });
    writeFileSync(
      offSrc.path('stacks', stack, 'docker-compose.yml'),
      'services:\n  web:\n    image: local/busybox:1\n    deploy: { replicas: 0, endpoint_mode: dnsrr }\n',
    );
    const off = await ControllerProcess.start({
      instanceId: offId,
      sources: [offSrc.path('stacks')],
      redisUrl: labVars().redisUrl,
      args: ['--no-idle-gc'],
      // the module tree, not the CLI bundle (which holds idle-gc.ts inside it): a file per module
      env: { NODE_OPTIONS: `--import=${PROBE}`, SK_MODULE_LOG: offLog, SWARMKEEPER_BUNDLE: '0' },
      label: 'nogc',
    });
    await off.waitReady(60_000);
    off.signal('SIGTERM');
    expect((await off.exited).code, off.tail()).toBe(0);
    const loaded = readFileSync(offLog, 'utf8').split('\n').filter(Boolean);
    expect(loaded.some((u) => u.includes('/controllers/cli/actions/run.'))).toBe(true); // the log works
    expect(loaded.filter((u) => u.includes('/runtime/idle-gc.'))).toEqual([]);
  });
});
