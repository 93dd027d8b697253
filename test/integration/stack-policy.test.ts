/**
 * The stack policy, the bounds and Docker's rules through `swarmkeeper apply -f dir/` on a real
 * swarm: each refused stack is reported with its code and exact line, nothing of it is written,
 * and a valid sibling in the same directory is still applied.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CountingProxy, startDockerProxy, writeCalls } from './helpers/proxy.js';
import { assertBuilt, show, swarmkeeper } from './helpers/run.js';
import { LABEL_NAMESPACE, cleanup, namesByLabel, service } from './helpers/swarm.js';
import { tempDir } from './helpers/tmp.js';

const RUN = randomBytes(2).toString('hex');
const INSTANCE = `stack-policy-${RUN}`;
const P = `sp${RUN}`;
const tmp = tempDir('sk-stack-policy-');
let proxy: CountingProxy;

const SLEEPER = `    image: local/busybox:1
    command: ["sleep", "100000"]
    stop_grace_period: 1s
`;

const REFUSED = [
  {
    stack: `${P}sock`,
    text: `services:\n  app:\n${SLEEPER}    volumes: ["/var/run/docker.sock:/var/run/docker.sock"]\nnetworks:\n  side: {}\n`,
    line: (policy: string) =>
      `error: ${P}sock/docker-compose.yml:6: services.app.volumes[0]: a bind mount of /var/run/docker.sock is denied by the stack policy (rule dockerSocket: deny, policy ${policy}): it reaches the Docker socket, which is root on the node; set dockerSocket: allow in a policy file to permit it (SK_ERR_POLICY_DENIED)`,
  },
  {
    stack: `${P}big`,
    text: `services:\n  app:\n${SLEEPER}    deploy:\n      replicas: 4294967297\n`,
    line: () =>
      `error: ${P}big/docker-compose.yml:7: services.app.deploy.replicas: replicas 4294967297 is above the bound 1000 (raise it with --limits replicas=N) (SK_ERR_LIMIT_EXCEEDED)`,
  },
  {
    stack: `${P}name`,
    text: `services:\n  "my app":\n${SLEEPER}`,
    line: () =>
      `error: ${P}name/docker-compose.yml:2: services.my app: service name "${P}name_my app" is refused by Swarm: "name must be valid as a DNS name component" (swarmkit validateAnnotations: ^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$, at most 63 characters); the service is named <stack>_<service> (SK_ERR_COMPOSE_INVALID)`,
  },
];

const errorLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('error: '));

function writeStack(root: string, stack: string, text: string): void {
  mkdirSync(join(root, stack), { recursive: true });
  writeFileSync(join(root, stack, 'docker-compose.yml'), text);
}

beforeAll(async () => {
  assertBuilt();
  proxy = await startDockerProxy();
});

afterAll(async () => {
  await cleanup({ instanceId: INSTANCE, namespaces: [...REFUSED.map((c) => c.stack), `${P}ok`] });
  await proxy.close();
  tmp.remove();
});

describe('apply -f dir/ with --policy and the default bounds', () => {
  it('refuses each bad stack whole, writes nothing of it, and applies the valid sibling', async () => {
    const dir = join(tmp.dir, 'stacks');
    for (const c of REFUSED) writeStack(dir, c.stack, c.text);
    writeStack(dir, `${P}ok`, `services:\n  app:\n${SLEEPER}    deploy: { endpoint_mode: dnsrr }\n`);
    const policy = join(tmp.dir, 'policy.yaml');
    writeFileSync(policy, 'rules:\n  dockerSocket: deny\n');

    const v = await swarmkeeper({ instanceId: INSTANCE }, ['validate', '-f', dir, '--policy', policy]);
    expect(v.code, show(v)).toBe(1);
    expect(errorLines(v.stderr).sort()).toEqual(REFUSED.map((c) => c.line(policy)).sort());

    // the instance's secret-hash key from a file: no key config is created, so every write counted
    // below belongs to a stack
    const keyFile = join(tmp.dir, 'hash.key');
    writeFileSync(keyFile, randomBytes(32).toString('hex'));
    proxy.reset();
    const r = await swarmkeeper({ instanceId: INSTANCE, socketPath: proxy.socketPath }, [
      '--secret-hash-key-file',
      keyFile,
      'apply',
      '-f',
      dir,
      '--policy',
      policy,
    ]);
    expect(r.code, show(r)).toBe(1);
    expect(errorLines(r.stderr).sort()).toEqual(REFUSED.map((c) => c.line(policy)).sort());
    expect(writeCalls(proxy)).toEqual({ 'POST /networks/create': 1, 'POST /services/create': 1 });
    expect((await service(`${P}ok_app`))?.labels[LABEL_NAMESPACE]).toBe(`${P}ok`);
    for (const c of REFUSED)
      for (const t of ['service', 'network'] as const)
        expect(await namesByLabel(t, `${LABEL_NAMESPACE}=${c.stack}`), `${t}s of ${c.stack}`).toEqual([]);
  });

  it('--limits raises a bound', async () => {
    const dir = join(tmp.dir, 'limits');
    writeStack(dir, `${P}big`, `services:\n  app:\n${SLEEPER}    deploy:\n      replicas: 1500\n`);
    const refused = await swarmkeeper({ instanceId: INSTANCE }, ['validate', '-f', dir]);
    expect(refused.code, show(refused)).toBe(1);
    const raised = await swarmkeeper({ instanceId: INSTANCE }, [
      'validate',
      '-f',
      dir,
      '--limits',
      'replicas=1500',
    ]);
    expect(raised.code, show(raised)).toBe(0);
  });
});
