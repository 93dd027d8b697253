// dependsOn: a stack that needs a network resource waits for it to be Ready, and its status says
// so; once the dependency is Ready, the stack converges. Real lab swarm + Redis; polls with deadlines.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControllerProcess, killAll, waitFor } from './helpers/controller-process.js';
import {
  StatusReader,
  cleanupSwarm,
  labVars,
  serviceSpec,
  tempSource,
  uniq,
} from './helpers/controller-swarm.js';

const id = uniq('skdep');
const p = uniq('dp');
const src = tempSource('sk-depends');
const status = new StatusReader(id);
const NET = `${p}-net`;
const APP = `${p}app`;
let ctl: ControllerProcess;

const network = (driver: string) =>
  `apiVersion: swarmkeeper.io/v1alpha1\nkind: SwarmNetwork\nmetadata:\n  name: ${NET}\nspec:\n  driver: ${driver}\n`;

const stack = `apiVersion: swarmkeeper.io/v1alpha1
kind: SwarmStack
metadata:
  name: ${APP}
spec:
  dependsOn:
    - kind: SwarmNetwork
      name: ${NET}
  compose:
    services:
      web:
        image: local/busybox:1
        command: ["sleep", "100000"]
        stop_grace_period: 1s
        networks: [shared]
        deploy:
          endpoint_mode: dnsrr
    networks:
      shared:
        external: true
        name: ${NET}
`;

describe('swarmkeeper run: dependsOn', () => {
  beforeAll(async () => {
    // The network cannot become Ready: its driver does not exist on this Swarm.
    writeFileSync(src.path('net.yaml'), network('no-such-driver'));
    writeFileSync(src.path('app.yaml'), stack);
    ctl = await ControllerProcess.start({
      instanceId: id,
      sources: [src.dir],
      redisUrl: labVars().redisUrl,
      label: 'dep',
    });
  });

  afterAll(async () => {
    await killAll();
    await cleanupSwarm(id, { networks: [NET] });
    await status.purge();
    status.close();
    src.remove();
  });

  it('waits for the dependency, says so in its status, and writes nothing meanwhile', async () => {
    const ready = await waitFor(`${APP} to report its dependency\n${ctl.tail()}`, 30_000, async () => {
      const c = await status.condition(`SwarmStack/default/${APP}`, 'Ready');
      return c?.reason === 'DependencyNotReady' ? c : undefined;
    });
    expect(ready).toMatchObject({
      status: 'False',
      message: `waiting for SwarmNetwork/default/${NET} to be Ready`,
    });
    expect((await status.condition(`SwarmStack/default/${APP}`, 'Reconciling'))?.status).toBe('True');
    expect(await serviceSpec(`${APP}_web`)).toBeUndefined();
  });

  it('converges once the dependency is Ready', async () => {
    writeFileSync(src.path('net.yaml'), network('overlay'));
    await waitFor(`${APP} to become Ready\n${ctl.tail()}`, 60_000, async () =>
      (await status.condition(`SwarmStack/default/${APP}`, 'Ready'))?.status === 'True' ? true : undefined,
    );
    expect((await serviceSpec(`${APP}_web`))?.name).toBe(`${APP}_web`);
  });
});
