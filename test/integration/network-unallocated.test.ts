/**
 * A swarm network the Swarm has not allocated: dockerd reports its Driver and IPAM driver as "" and
 * no subnet until the allocator has run. That is the state of every network for a moment after
 * `docker network create` or `docker stack deploy` (a CI run adopted such a network and called it a
 * conflict: "differs from the desired network (Driver, IPAM.Driver)"), and for good when its subnet
 * overlaps another network's, which this test uses to hold the state as long as it needs.
 * swarmkeeper must not read the unknown fields as differences: no recreate, no block, no conflict.
 * And a controller's status says why the stack's tasks wait: the Ready message names the network.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, dockerJSON, stackDeploy, swarmkeeper } from './fidelity/support/cli.js';
import { removeStacks } from './fidelity/support/stack.js';
import { tempDir } from './helpers/tmp.js';
import { ControllerProcess, killAll, waitFor } from './helpers/controller-process.js';
import { StatusReader, labVars } from './helpers/controller-swarm.js';

const RUN = randomBytes(3).toString('hex');
const INSTANCE = `unalloc-${RUN}`;
// far from the Swarm's default pool (10.0.0.0/8 handed out from 10.0.0.0/24 upwards)
const SUBNET = `10.${200 + (parseInt(RUN.slice(0, 2), 16) % 50)}.${parseInt(RUN.slice(2, 4), 16)}.0/24`;
const HOLD = `hold${RUN}`;
const OURS = `ua${RUN}`;
const THEIRS = `ub${RUN}`;
const tmp = tempDir('sk-unalloc-');

const compose = (indent: string) =>
  `services:
  web:
    image: local/busybox:1
    command: ["sleep", "1d"]
    networks: [back]
networks:
  back:
    driver: overlay
    ipam:
      config:
        - subnet: ${SUBNET}
`.replace(/^/gm, indent);

/** A SwarmStack that allows recreation: a wrongly seen difference would recreate the network. */
const STACK_CR = `apiVersion: swarmkeeper.io/v1alpha1
kind: SwarmStack
metadata:
  name: ${OURS}
spec:
  recreatePolicy: Always
  compose:
${compose('    ')}`;

interface Net {
  Id: string;
  Driver: string;
}
const inspect = async (name: string) => (await dockerJSON<Net[]>(['network', 'inspect', name]))[0]!;
const sk = (...args: string[]) => swarmkeeper(INSTANCE, args);
const show = (r: { code: number; stdout: string; stderr: string }) =>
  `exit ${r.code}\n${r.stdout}${r.stderr}`;

beforeAll(async () => {
  await docker(['network', 'create', '-d', 'overlay', '--subnet', SUBNET, HOLD]);
  mkdirSync(join(tmp.dir, OURS));
  mkdirSync(join(tmp.dir, THEIRS));
  writeFileSync(join(tmp.dir, OURS, 'stack.yaml'), STACK_CR);
  writeFileSync(join(tmp.dir, THEIRS, 'docker-compose.yml'), compose(''));
});

const status = new StatusReader(INSTANCE);

afterAll(async () => {
  await killAll();
  await status.purge();
  status.close();
  await removeStacks([OURS, THEIRS]);
  await docker(['network', 'rm', HOLD], true);
  tmp.remove();
});

describe('a network the Swarm has not allocated', () => {
  it('swarmkeeper creates it once, and later applies and plans leave it alone (recreatePolicy Always)', async () => {
    const file = join(tmp.dir, OURS, 'stack.yaml');
    const first = await sk('apply', '--resolve-image', 'never', '-f', file);
    expect(first.code, show(first)).toBe(0);
    const created = await inspect(`${OURS}_back`);
    // the state under test: the subnet overlaps HOLD's, so the allocator never runs for it
    expect(created.Driver).toBe('');

    const again = await sk('apply', '--resolve-image', 'never', '-f', file);
    expect(again.code, show(again)).toBe(0);
    expect(again.stdout).toContain('unchanged');
    expect((await inspect(`${OURS}_back`)).Id).toBe(created.Id);

    const p = await sk('plan', '-f', file);
    expect(p.code, show(p)).toBe(0);
    expect(p.stdout).toContain('No changes.');
  });

  it('one made by docker stack deploy is adopted, not called a conflict', async () => {
    const file = join(tmp.dir, THEIRS, 'docker-compose.yml');
    await stackDeploy(file, THEIRS);
    expect((await inspect(`${THEIRS}_back`)).Driver).toBe('');
    const r = await sk('apply', '--adopt', '--resolve-image', 'never', '-f', file);
    expect(r.code, show(r)).toBe(0);
    expect(r.stderr).not.toContain('SK_ERR_OWNERSHIP_CONFLICT');
  });

  it("a controller's Ready message names the network its tasks wait for", async () => {
    const key = `SwarmStack/default/${OURS}`;
    const ctl = await ControllerProcess.start({
      instanceId: INSTANCE,
      sources: [join(tmp.dir, OURS)],
      redisUrl: labVars().redisUrl,
      label: 'unallocated',
    });
    const ready = await waitFor(`${key}: the network named in Ready\n${ctl.tail()}`, 60_000, async () => {
      const c = await status.condition(key, 'Ready');
      return c?.message?.includes(`network ${OURS}_back is not allocated by the Swarm yet`) ? c : undefined;
    });
    expect(ready).toMatchObject({ status: 'False', reason: 'Progressing' });
    expect(ready.message).toMatch(new RegExp(`^waiting for ${OURS}_web to converge; `));
    expect((await inspect(`${OURS}_back`)).Driver).toBe('');
  });
});
