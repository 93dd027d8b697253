/**
 * IMAGE UPDATE POLICIES against the lab registry (added to the shared lab when it has none), on a
 * running controller polling every 2 s:
 * - digest: a new image pushed under the tag rolls the service to its digest within a poll, once;
 * - semver ^1.2: with 1.2.1 running, pushing 1.3.0 and 2.0.0 moves it to 1.3.0, never to 2.0.0;
 * - a registry that is down changes nothing and is reported in status, until it is back.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { labRegistry } from '../lab/lab.js';
import { ControllerProcess, killAll, metricSum, waitFor } from './helpers/controller-process.js';
import {
  StatusReader,
  cleanupSwarm,
  labVars,
  serviceSpec,
  tempSource,
  uniq,
} from './helpers/controller-swarm.js';
import { ensureRegistry, pushImage } from './helpers/registry.js';
import { docker } from './fidelity/support/cli.js';

const lab = inject('lab');
const RUN = randomBytes(3).toString('hex');
const id = uniq('skimgup');
const name = uniq('iu');
const key = `SwarmStack/default/${name}`;
const src = tempSource('sk-imgup');
const status = new StatusReader(id);
let ctl: ControllerProcess;
let DIG = ''; // REG/upd<run>/dig:1, followed by digest
let SEM = ''; // REG/upd<run>/sem, followed by semver ^1.2
let ROLL = ''; // REG/upd<run>/roll:1, followed by digest, one task running
let rollDigest1 = '';
let digest1 = '';
const pushed: string[] = [];

const stackCR = (): string => `apiVersion: swarmkeeper.io/v1alpha1
kind: SwarmStack
metadata:
  name: ${name}
spec:
  compose:
    services:
      dig:
        image: ${DIG}
        command: ["sleep", "100000"]
        deploy: {replicas: 0, endpoint_mode: dnsrr}
        x-swarmkeeper: {image-update: digest}
      sem:
        image: ${SEM}:1.2.1
        command: ["sleep", "100000"]
        deploy: {replicas: 0, endpoint_mode: dnsrr}
        x-swarmkeeper: {image-update: {semver: "^1.2"}}
      roll:
        image: ${ROLL}
        command: ["sleep", "100000"]
        stop_signal: SIGKILL
        deploy:
          replicas: 1
          endpoint_mode: dnsrr
          restart_policy: {condition: none}
          update_config: {failure_action: rollback, monitor: 3s, order: stop-first}
          rollback_config: {monitor: 1s}
        x-swarmkeeper: {image-update: digest}
`;

/** Pushes an image whose entrypoint exits at once (the command is then its argument): its digest. */
async function pushBroken(image: string): Promise<string> {
  const ctx = mkdtempSync(join(tmpdir(), 'sk-broken-'));
  try {
    writeFileSync(
      join(ctx, 'Dockerfile'),
      `FROM local/busybox:1\nLABEL swarmkeeper.test=broken${RUN}\nENTRYPOINT ["false"]\n`,
    );
    await docker(['build', '-q', '-t', image, ctx]);
    pushed.push(image);
    const m = /digest: (sha256:[0-9a-f]{64})/.exec((await docker(['push', image])).stdout);
    if (!m?.[1]) throw new Error('no digest in docker push output');
    return m[1];
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
}

const push = async (image: string, label: string) => {
  pushed.push(image);
  return pushImage(image, label);
};
const imageOf = async (svc: string) => (await serviceSpec(`${name}_${svc}`))?.image;
const versionOf = async (svc: string) => (await serviceSpec(`${name}_${svc}`))?.version;
const polls = async (result: string) =>
  metricSum(await ctl.metrics(), 'swarmkeeper_image_update_polls_total', { result });
const statusImages = async () =>
  ((await status.get(key))?.['images'] as { service: string; from: string; to: string; at: string }[]) ?? [];
const warnings = async () => ((await status.get(key))?.['warnings'] as string[] | undefined) ?? [];

/** Until `n` more polls of `result` than now have been counted. */
async function morePolls(n: number, result = 'ok'): Promise<void> {
  const start = await polls(result);
  await waitFor(`${n} more polls (${result})\n${ctl.tail()}`, 60_000, async () =>
    (await polls(result)) - start >= n ? true : undefined,
  );
}

describe('swarmkeeper run: image update policies', () => {
  beforeAll(async () => {
    const registry = await ensureRegistry(lab);
    DIG = `${registry}/upd${RUN}/dig:1`;
    SEM = `${registry}/upd${RUN}/sem`;
    digest1 = await push(DIG, 'one');
    await push(`${SEM}:1.2.1`, 'v121');
    ROLL = `${registry}/upd${RUN}/roll:1`;
    rollDigest1 = await push(ROLL, 'roll-one');
    writeFileSync(src.path(`${name}.yaml`), stackCR());
    ctl = await ControllerProcess.start({
      instanceId: id,
      sources: [src.dir],
      redisUrl: labVars().redisUrl,
      label: 'imgup',
      args: ['--image-update-interval', '2s'],
    });
    await waitFor(`${key} Ready\n${ctl.tail()}`, 90_000, async () =>
      (await status.condition(key, 'Ready'))?.status === 'True' ? true : undefined,
    );
  }, 180_000);

  afterAll(async () => {
    await labRegistry('start', { name: lab.name }).catch(() => undefined);
    await killAll();
    await cleanupSwarm(id);
    await status.purge();
    status.close();
    for (const image of pushed) await docker(['image', 'rm', '-f', image], true);
    src.remove();
  }, 120_000);

  it('deploys pinned to the digests and tags as written, and changes nothing while the registry does not', async () => {
    await morePolls(2);
    expect(await imageOf('dig')).toBe(`${DIG}@${digest1}`);
    expect(await imageOf('sem')).toMatch(new RegExp(`^${SEM}:1\\.2\\.1@sha256:`));
    expect(await statusImages()).toEqual([]);
  });

  it('digest: a new image under the tag rolls the service to it within a poll, once', async () => {
    const before = await versionOf('dig');
    const digest2 = await push(DIG, 'two');
    expect(digest2).not.toBe(digest1);
    await waitFor(`dig rolled to ${digest2}\n${ctl.tail()}`, 60_000, async () =>
      (await imageOf('dig')) === `${DIG}@${digest2}` ? true : undefined,
    );
    const rolled = await versionOf('dig');
    expect(rolled).toBeGreaterThan(before ?? 0);
    await morePolls(3);
    expect(await versionOf('dig')).toBe(rolled);
    const changes = (await statusImages()).filter((c) => c.service === `${name}_dig`);
    expect(changes.map((c) => [c.from, c.to])).toEqual([[`${DIG}@${digest1}`, `${DIG}@${digest2}`]]);
    expect(Number.isNaN(Date.parse(changes[0]!.at))).toBe(false);
    expect(metricSum(await ctl.metrics(), 'swarmkeeper_image_updates_total', { key })).toBe(1);
  });

  it('semver ^1.2: 1.3.0 and 2.0.0 pushed, the service goes to 1.3.0 and never to 2.0.0', async () => {
    const d130 = await push(`${SEM}:1.3.0`, 'v130');
    await push(`${SEM}:2.0.0`, 'v200');
    await waitFor(`sem at 1.3.0\n${ctl.tail()}`, 60_000, async () =>
      (await imageOf('sem')) === `${SEM}:1.3.0@${d130}` ? true : undefined,
    );
    const version = await versionOf('sem');
    await morePolls(3);
    expect(await imageOf('sem')).toBe(`${SEM}:1.3.0@${d130}`);
    expect(await versionOf('sem')).toBe(version);
    const changes = (await statusImages()).filter((c) => c.service === `${name}_sem`);
    expect(changes.map((c) => c.to)).toEqual([`${SEM}:1.3.0@${d130}`]);
    expect(changes[0]?.from).toMatch(new RegExp(`^${SEM}:1\\.2\\.1@sha256:`));
  });

  it('a registry that is down changes nothing and is reported in status until it is back', async () => {
    const before = { dig: await versionOf('dig'), sem: await versionOf('sem') };
    await labRegistry('stop', { name: lab.name });
    try {
      await waitFor(`registry warnings\n${ctl.tail()}`, 60_000, async () => {
        const w = await warnings();
        return w.some((x) => x.includes('image update (digest)')) &&
          w.some((x) => x.includes('image update (semver ^1.2)'))
          ? w
          : undefined;
      });
      await morePolls(2, 'unreachable');
      expect({ dig: await versionOf('dig'), sem: await versionOf('sem') }).toEqual(before);
      expect((await status.condition(key, 'Ready'))?.status).toBe('True');
    } finally {
      await labRegistry('start', { name: lab.name });
    }
    await waitFor(`warnings cleared\n${ctl.tail()}`, 60_000, async () =>
      (await warnings()).some((x) => x.startsWith('image update')) ? undefined : true,
    );
    expect({ dig: await versionOf('dig'), sem: await versionOf('sem') }).toEqual(before);
  });

  it('a digest Swarm rolled back is not sent again; the next one behind the tag is', async () => {
    expect(await imageOf('roll')).toBe(`${ROLL}@${rollDigest1}`);
    const broken = await pushBroken(ROLL);
    // image, version and state from one read: Swarm's rollback_completed is a write of its own
    // (the version moves again after rollback_started has put the old image back)
    const rolledBack = await waitFor(`roll rolled back\n${ctl.tail()}`, 90_000, async () => {
      const s = await serviceSpec(`${name}_roll`);
      return s?.image === `${ROLL}@${rollDigest1}` && s.updateState === 'rollback_completed' ? s : undefined;
    });
    const changes = (await statusImages()).filter((c) => c.service === `${name}_roll`);
    expect(changes.map((c) => c.to)).toEqual([`${ROLL}@${broken}`]);
    await morePolls(3);
    const after = await serviceSpec(`${name}_roll`);
    expect(after?.image, ctl.tail(40)).toBe(`${ROLL}@${rollDigest1}`);
    expect(after?.version, `${JSON.stringify(after)}\n${ctl.tail(40)}`).toBe(rolledBack.version);
    const fixed = await push(ROLL, 'roll-three');
    await waitFor(`roll at the fixed digest\n${ctl.tail()}`, 60_000, async () =>
      (await imageOf('roll')) === `${ROLL}@${fixed}` ? true : undefined,
    );
  });

  it('a controller restarted while the registry is down moves no service back to the tag as written', async () => {
    const services = ['dig', 'sem', 'roll'];
    const snapshot = async () =>
      Object.fromEntries(
        await Promise.all(services.map(async (x) => [x, await serviceSpec(`${name}_${x}`)])),
      );
    const before = await snapshot();
    expect(before['sem']?.image).toMatch(new RegExp(`^${SEM}:1\\.3\\.0@`));
    await labRegistry('stop', { name: lab.name });
    try {
      await ctl.kill9();
      ctl = await ControllerProcess.start({
        instanceId: id,
        sources: [src.dir],
        redisUrl: labVars().redisUrl,
        label: 'imgup-restarted',
        args: ['--image-update-interval', '2s'],
      });
      await ctl.waitReady(60_000);
      // this process's own reconciles (the start-up one, then the one its failed polls enqueue): another
      // reconcile (an event) may come between them, so the status is polled for the polls' warnings
      await waitFor(`2 reconciles after the restart\n${ctl.tail()}`, 60_000, async () =>
        metricSum(await ctl.metrics(), 'swarmkeeper_reconcile_total', {
          kind: 'SwarmStack',
          result: 'success',
        }) >= 2
          ? true
          : undefined,
      );
      await waitFor(`the 3 image update warnings\n${ctl.tail()}`, 60_000, async () =>
        (await warnings()).filter((x) => x.startsWith('image update')).length === 3 ? true : undefined,
      );
      await morePolls(3, 'unreachable');
      const after = await snapshot();
      for (const x of services) expect(after[x]?.version, x).toBe(before[x]?.version);
    } finally {
      await labRegistry('start', { name: lab.name });
    }
  });
});
