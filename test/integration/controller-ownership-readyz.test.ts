// A controller that finds an object it would manage held by another owner (SK_ERR_OWNERSHIP_CONFLICT):
// /readyz answers 503 and names the conflict, the conflict is logged at warn with its error once
// (not again on every resync), and once the object is gone the controller converges and is ready.
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControllerProcess, killAll, waitFor } from './helpers/controller-process.js';
import { cleanupSwarm, docker, engine, labVars, tempSource, uniq } from './helpers/controller-swarm.js';

const id = uniq('skown');
const STACK = uniq('ow');
const KEY = `SwarmStack/default/${STACK}`;
const SERVICE = `${STACK}_app`;
const src = tempSource('sk-own');
let ctl: ControllerProcess;

describe('swarmkeeper run: ownership conflicts make the instance not ready', () => {
  beforeAll(async () => {
    // held by nobody swarmkeeper knows: made by hand, without ownership labels
    await docker(
      'service',
      'create',
      '--detach',
      '--quiet',
      '--name',
      SERVICE,
      '--replicas',
      '0',
      '--endpoint-mode',
      'dnsrr',
      'local/busybox:1',
      'sleep',
      '100000',
    );
    mkdirSync(src.path(STACK));
    writeFileSync(
      src.path(STACK, 'docker-compose.yml'),
      'services:\n  app:\n    image: local/busybox:1\n    command: ["sleep", "100000"]\n    deploy:\n      replicas: 0\n      endpoint_mode: dnsrr\n',
    );
    ctl = await ControllerProcess.start({
      instanceId: id,
      sources: [src.dir],
      redisUrl: labVars().redisUrl,
      args: ['--resync', '1s'],
      logLevel: 'debug',
      label: 'own',
    });
  });

  afterAll(async () => {
    await killAll();
    await engine()
      .getService(SERVICE)
      .remove()
      .catch(() => undefined);
    await cleanupSwarm(id);
    src.remove();
  });

  it('/readyz answers 503 naming the conflict; it is logged at warn once, with its error', async () => {
    const body = await waitFor(`/readyz 503 with a conflict\n${ctl.tail()}`, 60_000, async () => {
      const r = await ctl.get('/readyz');
      return r.status === 503 && r.body.includes('ownershipConflicts') ? r.body : undefined;
    });
    const ready = JSON.parse(body) as {
      ok: boolean;
      checks: Record<string, boolean>;
      ownershipConflicts: { key: string; object: string }[];
    };
    expect(ready.ok).toBe(false);
    expect(ready.checks).toMatchObject({ redis: true, docker: true, sources: true, ownership: false });
    expect(ready.ownershipConflicts).toEqual([{ key: KEY, object: `service ${SERVICE}` }]);
    // several reconciles of the key (a resync every second) later, still one warn line for it
    const since = ctl.find('reconcile start', { key: KEY }).length;
    await waitFor(`three more reconciles of ${KEY}\n${ctl.tail()}`, 30_000, () =>
      ctl.find('reconcile start', { key: KEY }).length >= since + 3 ? true : undefined,
    );
    const warns = ctl.logs.filter((l) => l.msg.startsWith('ownership conflict:'));
    expect(warns, ctl.tail()).toHaveLength(1);
    expect(warns[0]).toMatchObject({ level: 40, key: KEY, object: `service ${SERVICE}` });
    const err = warns[0]!['err'] as { type: string; message: string; code: string };
    expect(err.type).toBe('SwarmkeeperError');
    expect(err.code).toBe('SK_ERR_OWNERSHIP_CONFLICT');
    expect(err.message).toContain(`service ${SERVICE} exists and is not owned by ${KEY}`);
  });

  it('once the object is gone the controller converges and /readyz answers 200 again', async () => {
    await engine().getService(SERVICE).remove();
    await waitFor(`/readyz 200\n${ctl.tail()}`, 60_000, async () =>
      (await ctl.get('/readyz')).status === 200 ? true : undefined,
    );
    expect(ctl.find('ownership conflicts resolved', { key: KEY })).toHaveLength(1);
  });
});
