/**
 * POST /hooks/registry against the lab registry, on a controller polling every 10 minutes: a new
 * image pushed under a followed tag, then a registry:2-style notification, rolls the service long
 * before the interval; a notification of another repository polls nothing. Then the lab registry
 * itself (Debian docker-registry, distribution 2.8), restarted with `notifications` to the
 * controller, rolls the service after a plain `docker push`.
 */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
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
const SECRET = `reghook-${randomBytes(8).toString('hex')}`;
const id = uniq('skreghook');
const name = uniq('rh');
const key = `SwarmStack/default/${name}`;
const src = tempSource('sk-reghook');
const status = new StatusReader(id);
let ctl: ControllerProcess;
let REG = '';
let IMAGE = '';
const pushed: string[] = [];

const stackCR = (): string => `apiVersion: swarmkeeper.io/v1alpha1
kind: SwarmStack
metadata:
  name: ${name}
spec:
  compose:
    services:
      app:
        image: ${IMAGE}
        command: ["sleep", "100000"]
        deploy: {replicas: 0, endpoint_mode: dnsrr}
        x-swarmkeeper: {image-update: digest}
`;

const imageOf = async () => (await serviceSpec(`${name}_app`))?.image;
const polls = async () => metricSum(await ctl.metrics(), 'swarmkeeper_image_update_polls_total');

/** A registry:2 notifications envelope for a manifest push of repository:tag. */
async function notify(repository: string, tag: string, digest: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${ctl.port}/hooks/registry`, {
    method: 'POST',
    headers: {
      'content-type': 'application/vnd.docker.distribution.events.v1+json',
      authorization: `Bearer ${SECRET}`,
    },
    body: JSON.stringify({
      events: [
        {
          id: randomBytes(8).toString('hex'),
          action: 'push',
          target: {
            mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
            repository,
            tag,
            digest,
          },
          request: { host: REG },
        },
      ],
    }),
  });
}

describe('swarmkeeper run: POST /hooks/registry', () => {
  beforeAll(async () => {
    REG = await ensureRegistry(lab);
    IMAGE = `${REG}/rh${RUN}/app:1`;
    pushed.push(IMAGE);
    await pushImage(IMAGE, 'one');
    writeFileSync(src.path(`${name}.yaml`), stackCR());
    ctl = await ControllerProcess.start({
      instanceId: id,
      sources: [src.dir],
      redisUrl: labVars().redisUrl,
      label: 'reghook',
      args: ['--image-update-interval', '10m'],
      env: { SWARMKEEPER_WEBHOOK_SECRET: SECRET },
    });
    await waitFor(`${key} Ready\n${ctl.tail()}`, 90_000, async () =>
      (await status.condition(key, 'Ready'))?.status === 'True' ? true : undefined,
    );
    // the first poll of a newly followed image is done at once
    await waitFor(`first poll\n${ctl.tail()}`, 30_000, async () => ((await polls()) >= 1 ? true : undefined));
  }, 180_000);

  afterAll(async () => {
    await killAll();
    await cleanupSwarm(id);
    await status.purge();
    status.close();
    for (const image of pushed) await docker(['image', 'rm', '-f', image], true);
    src.remove();
  }, 120_000);

  it('a notification of another repository polls nothing', async () => {
    const before = await polls();
    const r = await notify(`rh${RUN}/other`, '1', `sha256:${'0'.repeat(64)}`);
    expect(r.status).toBe(202);
    expect(((await r.json()) as { polled: string[] }).polled).toEqual([]);
    expect(await polls()).toBe(before);
  });

  it('a wrong secret is refused', async () => {
    const r = await fetch(`http://127.0.0.1:${ctl.port}/hooks/registry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer nope' },
      body: '{}',
    });
    expect(r.status).toBe(401);
  });

  it('a push and its notification roll the service long before the 10 min interval', async () => {
    const digest2 = await pushImage(IMAGE, 'two');
    expect(await imageOf()).not.toBe(`${IMAGE}@${digest2}`);
    const r = await notify(`rh${RUN}/app`, '1', digest2);
    expect(r.status).toBe(202);
    expect(((await r.json()) as { polled: string[] }).polled).toEqual([IMAGE]);
    await waitFor(`app rolled to ${digest2}\n${ctl.tail()}`, 60_000, async () =>
      (await imageOf()) === `${IMAGE}@${digest2}` ? true : undefined,
    );
  });

  it("the registry's own notifications (registry:2 `notifications`) roll the service after a push", async () => {
    // the lab registry, restarted (same storage and address) with notifications to the controller
    const dir = mkdtempSync(join(tmpdir(), 'sk-reghook-reg-'));
    writeFileSync(
      join(dir, 'config.yml'),
      `version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: ${lab.state}/registry/storage}
  delete: {enabled: true}
http:
  addr: ${REG}
notifications:
  endpoints:
    - name: swarmkeeper
      url: http://127.0.0.1:${ctl.port}/hooks/registry
      headers: {Authorization: ["Bearer ${SECRET}"]}
      timeout: 2s
      threshold: 5
      backoff: 1s
      ignoredmediatypes: [application/octet-stream]
`,
    );
    await labRegistry('stop', { name: lab.name });
    const reg = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
      detached: true,
      stdio: 'ignore',
    });
    try {
      await waitFor('registry with notifications up', 30_000, async () =>
        (await fetch(`http://${REG}/v2/`).catch(() => undefined))?.ok ? true : undefined,
      );
      const accepted = async () =>
        metricSum(await ctl.metrics(), 'swarmkeeper_webhook_requests_total', {
          provider: 'registry',
          result: 'accepted',
        });
      const before = await accepted();
      const digest3 = await pushImage(IMAGE, 'three');
      await waitFor(`app rolled to ${digest3} by the notification\n${ctl.tail()}`, 60_000, async () =>
        (await imageOf()) === `${IMAGE}@${digest3}` ? true : undefined,
      );
      expect(await accepted()).toBeGreaterThan(before);
    } finally {
      if (reg.pid) process.kill(-reg.pid, 'SIGTERM');
      await waitFor('registry with notifications stopped', 30_000, async () =>
        (await fetch(`http://${REG}/v2/`).catch(() => undefined)) ? undefined : true,
      );
      await labRegistry('start', { name: lab.name });
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
