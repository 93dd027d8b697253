/**
 * Acceptance of the CLI's failure paths on a real swarm: invalid input is reported precisely
 * (file, line, YAML path) with exit 1 and no Docker write for the invalid stack, while a valid sibling
 * in the same directory is still applied; `apply --wait` fails (exit 1, naming the service) when a
 * service cannot converge or its update is rolled back.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CountingProxy, startDockerProxy, writeCalls } from './helpers/proxy.js';
import { assertBuilt, show, swarmkeeper } from './helpers/run.js';
import { LABEL_NAMESPACE, cleanup, exists, namesByLabel, service } from './helpers/swarm.js';
import { tempDir } from './helpers/tmp.js';

const RUN = randomBytes(2).toString('hex');
const INSTANCE = `cli-errors-${RUN}`;
const P = `ce${RUN}`;
const tmp = tempDir('sk-cli-errors-');
const cli = { instanceId: INSTANCE };
// The instance's secret-hash key from a file: without one, the first apply creates the instance's
// key config (once, before it reads any stack), and the writes counted below must be the stacks'.
const KEY_FILE = join(tmp.dir, 'hash.key');
writeFileSync(KEY_FILE, randomBytes(32).toString('hex'));
process.env['SWARMKEEPER_SECRET_HASH_KEY_FILE'] = KEY_FILE;
let proxy: CountingProxy;
const counted = (): { instanceId: string; socketPath: string } => ({
  instanceId: INSTANCE,
  socketPath: proxy.socketPath,
});

const SLEEPER = `    image: local/busybox:1
    command: ["sleep", "100000"]
    stop_grace_period: 1s
`;

/** Invalid compose files and the exact error line (`<file>` is the path shown, relative to the -f root). */
const INVALID = [
  {
    name: 'unknown compose key',
    stack: `${P}badkey`,
    text: `services:\n  app:\n${SLEEPER}    restart_polcy: always\n`,
    line: (file: string): RegExp =>
      new RegExp(
        `^error: ${file}:6: services\\.app\\.restart_polcy: unknown key "restart_polcy"; ` +
          'supported keys: (?=.*\\brestart\\b)[a-z_-]+(, [a-z_-]+)* \\(SK_ERR_COMPOSE_INVALID\\)$',
      ),
  },
  {
    name: 'bad YAML',
    stack: `${P}badyaml`,
    text: 'services:\n  app:\n    image: local/busybox:1\n   command: ["sleep", "100000"]\n',
    line: (file: string): string =>
      `error: ${file}:4: invalid YAML: All mapping items must start at the same column (SK_ERR_YAML_SYNTAX)`,
  },
  {
    name: 'undeclared network',
    stack: `${P}badnet`,
    text: `services:\n  app:\n${SLEEPER}    networks: [backend]\n`,
    line: (file: string): string =>
      `error: ${file}:6: services.app.networks.backend: undefined network "backend"; ` +
      'no networks are declared at top level (SK_ERR_COMPOSE_REFERENCE)',
  },
];

/** The `error: ...` lines of stderr (pino JSON log lines left out). */
const errorLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('error: '));

function writeStack(root: string, stack: string, text: string): string {
  mkdirSync(join(root, stack), { recursive: true });
  const file = join(root, stack, 'docker-compose.yml');
  writeFileSync(file, text);
  return file;
}

const namespaces = [...INVALID.map((c) => c.stack), `${P}ok`, `${P}nope`, `${P}rb`];

beforeAll(async () => {
  assertBuilt();
  proxy = await startDockerProxy();
});

afterAll(async () => {
  await cleanup({ instanceId: INSTANCE, namespaces });
  await proxy.close();
  tmp.remove();
});

describe('invalid input', () => {
  it.each(INVALID)('single file, $name: the exact error, exit 1, zero Docker writes', async (c) => {
    const file = writeStack(join(tmp.dir, 'single'), c.stack, c.text);
    proxy.reset();
    const r = await swarmkeeper(counted(), ['apply', '-f', file]);
    expect(r.code, show(r)).toBe(1);
    const lines = errorLines(r.stderr);
    expect(lines, show(r)).toHaveLength(1);
    expect(lines[0]).toMatch(c.line('docker-compose.yml'));
    expect(proxy.writes(), JSON.stringify(writeCalls(proxy))).toBe(0);

    const v = await swarmkeeper(cli, ['validate', '-f', file]);
    expect(v.code, show(v)).toBe(1);
    expect(errorLines(v.stderr)[0]).toMatch(c.line('docker-compose.yml'));
  });

  it('directory: every invalid stack is reported and left alone, the valid sibling is applied', async () => {
    const dir = join(tmp.dir, 'dir');
    for (const c of INVALID) writeStack(dir, c.stack, c.text);
    writeStack(dir, `${P}ok`, `services:\n  app:\n${SLEEPER}    deploy: { endpoint_mode: dnsrr }\n`);

    proxy.reset();
    const r = await swarmkeeper(counted(), ['apply', '-f', dir, '--prune']);
    expect(r.code, show(r)).toBe(1);
    const lines = errorLines(r.stderr);
    expect(lines, show(r)).toHaveLength(INVALID.length);
    for (const c of INVALID) {
      const file = `${c.stack}/docker-compose.yml`;
      expect(lines.filter((l) => l.startsWith(`error: ${file}:`))).toHaveLength(1);
      expect(lines.find((l) => l.startsWith(`error: ${file}:`))).toMatch(c.line(file));
    }
    // The only writes are the valid stack's two creates; nothing exists for the invalid stacks.
    expect(writeCalls(proxy)).toEqual({ 'POST /networks/create': 1, 'POST /services/create': 1 });
    expect((await service(`${P}ok_app`))?.labels[LABEL_NAMESPACE]).toBe(`${P}ok`);
    for (const c of INVALID) {
      for (const t of ['service', 'network'] as const)
        expect(await namesByLabel(t, `${LABEL_NAMESPACE}=${c.stack}`), `${t}s of ${c.stack}`).toEqual([]);
    }
  });
});

describe('apply --wait', () => {
  it('exits 1 naming the service when it cannot converge (image that does not exist)', async () => {
    const dir = join(tmp.dir, 'wait');
    const stack = `${P}nope`;
    writeStack(
      dir,
      stack,
      'services:\n  app:\n    image: local/nope:1\n    stop_grace_period: 1s\n    deploy: { endpoint_mode: dnsrr }\n',
    );
    const started = Date.now();
    const r = await swarmkeeper(cli, ['apply', '-f', join(dir, stack), '--wait', '--timeout', '20s']);
    const took = Date.now() - started;
    expect(r.code, show(r)).toBe(1);
    expect(errorLines(r.stderr)).toEqual([
      `error: service ${stack}_app did not converge within the timeout (0/1 running)`,
    ]);
    expect(took).toBeGreaterThanOrEqual(20_000);
    expect(took).toBeLessThan(40_000);
    expect(await exists('service', `${stack}_app`)).toBe(true);
  });

  it('exits 1 naming the rollback when an update with failure_action rollback fails its healthcheck', async () => {
    const dir = join(tmp.dir, 'rollback');
    const stack = `${P}rb`;
    const compose = (check: string, v: string): string => `services:
  app:
${SLEEPER}    environment: { V: "${v}" }
    healthcheck: { test: ["CMD", "${check}"], interval: 1s, timeout: 1s, retries: 1 }
    deploy:
      endpoint_mode: dnsrr
      update_config: { failure_action: rollback, monitor: 10s }
      rollback_config: { monitor: 1s }
`;
    writeStack(dir, stack, compose('true', '1'));
    const first = await swarmkeeper(cli, ['apply', '-f', join(dir, stack), '--wait', '--timeout', '60s']);
    expect(first.code, show(first)).toBe(0);

    writeStack(dir, stack, compose('false', '2'));
    const r = await swarmkeeper(cli, ['apply', '-f', join(dir, stack), '--wait', '--timeout', '60s']);
    expect(r.code, show(r)).toBe(1);
    expect(r.stdout).toContain(`~ service ${stack}_app: updated`);
    const lines = errorLines(r.stderr);
    expect(lines, show(r)).toHaveLength(1);
    expect(lines[0]).toMatch(
      // Swarm's message changes while it rolls back ("update rolled back due to failure…", then
      // "rollback completed"); the state is what matters.
      new RegExp(`^error: service ${stack}_app: update rollback_(started|paused|completed)(: |$)`),
    );
  });
});
