// A source that has not loaded (a git server down at start-up) must not look like a source that
// dropped its resources: a job left in Redis for a key must not prune that key's objects.
// Real lab swarm + Redis; `swarmkeeper apply` creates the objects, `swarmkeeper run` starts with an
// unreachable git source and a leftover job for the key.
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkQueue } from '../../controllers/runtime/queue/index.js';
import { ControllerProcess, killAll, waitFor } from './helpers/controller-process.js';
import {
  StatusReader,
  cleanupSwarm,
  labVars,
  serviceSpec,
  tempSource,
  uniq,
} from './helpers/controller-swarm.js';
import { swarmkeeper } from './helpers/run.js';

const id = uniq('skboot');
const stack = `${uniq('bt')}app`;
const src = tempSource('sk-boot');
const status = new StatusReader(id);
let ctl: ControllerProcess;

describe('swarmkeeper run: start-up with a source that cannot load', () => {
  beforeAll(async () => {
    mkdirSync(src.path(stack));
    writeFileSync(
      src.path(stack, 'docker-compose.yml'),
      `services:\n  web:\n    image: local/busybox:1\n    command: ["sleep", "100000"]\n    stop_grace_period: 1s\n    deploy:\n      endpoint_mode: dnsrr\n`,
    );
    const applied = await swarmkeeper({ instanceId: id }, ['apply', '-f', src.dir]);
    expect(applied.code, applied.stderr).toBe(0);
    // a job an earlier controller left in Redis for this key
    const q = new WorkQueue({
      connection: { url: labVars().redisUrl },
      name: 'reconcile',
      prefix: `swarmkeeper:${id}`,
      concurrency: 1,
      reconcile: async () => undefined,
    });
    await q.enqueue(`SwarmStack/default/${stack}`);
    await q.close();
  });

  afterAll(async () => {
    await killAll();
    await cleanupSwarm(id);
    await status.purge();
    status.close();
    src.remove();
  });

  it('does not prune while the source has not loaded, and says why', async () => {
    ctl = await ControllerProcess.start({
      instanceId: id,
      sources: [],
      redisUrl: labVars().redisUrl,
      label: 'boot',
      args: ['--source', 'git=file:///nonexistent/swarmkeeper-test.git,interval=1m'],
    });
    const line = await waitFor(`the leftover job to be refused\n${ctl.tail()}`, 30_000, () =>
      ctl.logs.find((l) =>
        JSON.stringify(l['err'] ?? '').includes(`not pruning SwarmStack/default/${stack}`),
      ),
    );
    expect(JSON.stringify(line['err'])).toContain('has not loaded yet');
    expect((await serviceSpec(`${stack}_web`))?.name).toBe(`${stack}_web`);
  });
});
