// `swarmkeeper run` puts back out-of-band changes (issue acceptance), reports them instead with
// driftPolicy detect, leaves ignored fields alone, and follows a directory source GitOps-style.
// Real lab swarm + Redis; one controller process; every wait polls with a deadline.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControllerProcess, killAll, metricSum, waitFor } from './helpers/controller-process.js';
import {
  LABEL_OWNER,
  type ServiceSpecView,
  StatusReader,
  cleanupSwarm,
  docker,
  labVars,
  network,
  serviceSpec,
  servicesOf,
  tempSource,
  uniq,
} from './helpers/controller-swarm.js';

const id = uniq('skdrift');
const p = uniq('d');
const src = tempSource('sk-drift');
const status = new StatusReader(id);
const latencies: Record<string, number> = {};
let ctl: ControllerProcess;

const APP = `${p}app`;
const DET = `${p}det`;
const IGN = `${p}ign`;
const GIT = `${p}git`;
const BRK = `${p}brk`;
const NET = `${p}-unused`;
const key = (name: string, kind = 'SwarmStack') => `${kind}/default/${name}`;

function compose(env: Record<string, string>, extra = ''): string {
  const envLines = Object.entries(env)
    .map(([k, v]) => `      ${k}: "${v}"`)
    .join('\n');
  return `services:
  web:
    image: local/busybox:1
    command: ["sleep", "100000"]
    stop_grace_period: 1s
    environment:
${envLines}
    deploy:
      replicas: 1
      endpoint_mode: dnsrr
${extra}`;
}

const SIDE = `  side:
    image: local/busybox:1
    command: ["sleep", "100000"]
    stop_grace_period: 1s
    deploy:
      endpoint_mode: dnsrr
`;

function stackCR(name: string, policy: string): string {
  return `apiVersion: swarmkeeper.io/v1alpha1
kind: SwarmStack
metadata:
  name: ${name}
spec:
${policy}
  compose:
    services:
      web:
        image: local/busybox:1
        command: ["sleep", "100000"]
        stop_grace_period: 1s
        deploy:
          replicas: 1
          endpoint_mode: dnsrr
`;
}

function writeStack(folder: string, text: string): void {
  mkdirSync(src.path(folder), { recursive: true });
  writeFileSync(src.path(folder, 'docker-compose.yml'), text);
}

async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  return metricSum(await ctl.metrics(), name, labels);
}

/**
 * Runs an out-of-band change, then polls until `fixed` holds; records and prints the latency, measured
 * from just before the docker CLI call (so it includes the CLI's own run time, ~100 ms).
 */
async function corrected(
  what: string,
  change: () => Promise<unknown>,
  fixed: () => Promise<boolean>,
): Promise<number> {
  const t0 = Date.now();
  await change();
  await waitFor(
    `${what} to be put back\n${ctl.tail()}`,
    30_000,
    async () => ((await fixed()) ? true : undefined),
    100,
  );
  const ms = Date.now() - t0;
  latencies[what] = ms;
  console.log(`[controller-drift] ${what}: corrected in ${ms} ms`);
  return ms;
}

async function ready(k: string): Promise<boolean> {
  return (await status.condition(k, 'Ready'))?.status === 'True';
}

describe('swarmkeeper run: drift correction', () => {
  beforeAll(async () => {
    const { redisUrl } = labVars();
    await docker('tag', 'local/busybox:1', 'local/busybox:2');
    writeStack(APP, compose({ A: '1' }, SIDE));
    writeStack(GIT, compose({ V: '1' }));
    writeStack(BRK, compose({ B: '1' }));
    writeFileSync(
      src.path(`${p}-net.yaml`),
      `apiVersion: swarmkeeper.io/v1alpha1\nkind: SwarmNetwork\nmetadata:\n  name: ${NET}\nspec:\n  driver: overlay\n`,
    );
    writeFileSync(src.path(`${p}-detect.yaml`), stackCR(DET, '  driftPolicy: detect'));
    writeFileSync(src.path(`${p}-ignore.yaml`), stackCR(IGN, '  ignore: [Mode.Replicated.Replicas]'));
    ctl = await ControllerProcess.start({ instanceId: id, sources: [src.dir], redisUrl, label: 'drift' });
    const keys = [key(APP), key(DET), key(IGN), key(GIT), key(BRK), key(NET, 'SwarmNetwork')];
    await waitFor(
      `every resource Ready\n${ctl.tail()}`,
      90_000,
      async () => {
        for (const k of keys) if (!(await ready(k))) return undefined;
        return true;
      },
      250,
    );
  });

  afterAll(async () => {
    await killAll();
    console.log(`[controller-drift] correction latencies (ms): ${JSON.stringify(latencies)}`);
    await cleanupSwarm(id);
    await status.purge();
    status.close();
    src.remove();
    await docker('image', 'rm', 'local/busybox:2').catch(() => undefined);
  });

  it('creates every desired object with the owner labels', async () => {
    const names = (await servicesOf(id)).map((s) => s.name).sort();
    expect(names).toEqual(
      [`${APP}_side`, `${APP}_web`, `${BRK}_web`, `${DET}_web`, `${GIT}_web`, `${IGN}_web`].sort(),
    );
    expect((await network(NET))?.labels[LABEL_OWNER]).toBe(key(NET, 'SwarmNetwork'));
    const web = await serviceSpec(`${APP}_web`);
    expect(web).toMatchObject({ image: 'local/busybox:1', env: ['A=1'], replicas: 1 });
  });

  it('puts back out-of-band changes and counts them in swarmkeeper_drift_corrections_total', async () => {
    const before = await metric('swarmkeeper_drift_corrections_total');
    const web = `${APP}_web`;
    // An update really happened and was then undone: two version bumps (out of band + ours) at least.
    let v0 = 0;
    const oob = async (...args: string[]) => {
      v0 = (await serviceSpec(web))?.version ?? 0;
      return docker('service', 'update', '--detach', ...args, web);
    };
    const back = async (ok: (s: ServiceSpecView) => boolean): Promise<boolean> => {
      const s = await serviceSpec(web);
      return s !== undefined && s.version >= v0 + 2 && ok(s);
    };

    await corrected(
      'service update --replicas 3',
      () => oob('--replicas', '3'),
      () => back((s) => s.replicas === 1),
    );
    await corrected(
      'service update --env-add',
      () => oob('--env-add', 'INJECTED=1'),
      () => back((s) => JSON.stringify(s.env) === JSON.stringify(['A=1'])),
    );
    await corrected(
      'service update --image local/busybox:2',
      () => oob('--no-resolve-image', '--image', 'local/busybox:2'),
      () => back((s) => s.image === 'local/busybox:1'),
    );
    const side = await serviceSpec(`${APP}_side`);
    await corrected(
      'service rm',
      () => docker('service', 'rm', `${APP}_side`),
      async () => {
        const s = await serviceSpec(`${APP}_side`);
        return s !== undefined && s.id !== side?.id;
      },
    );
    const net = await network(NET);
    await corrected(
      'network rm (unused SwarmNetwork)',
      () => docker('network', 'rm', NET),
      async () => {
        const n = await network(NET);
        return n !== undefined && n.id !== net?.id;
      },
    );

    // The final specs are the desired ones.
    expect(await serviceSpec(web)).toMatchObject({ image: 'local/busybox:1', env: ['A=1'], replicas: 1 });
    expect((await serviceSpec(`${APP}_side`))?.labels[LABEL_OWNER]).toBe(key(APP));
    expect((await network(NET))?.labels[LABEL_OWNER]).toBe(key(NET, 'SwarmNetwork'));
    // The counter is bumped after the reconcile's status write, a moment after the object is back.
    await waitFor(`swarmkeeper_drift_corrections_total to grow by 5 (from ${before})`, 10_000, async () =>
      (await metric('swarmkeeper_drift_corrections_total')) - before >= 5 ? true : undefined,
    );
  });

  it('driftPolicy detect: reports an out-of-band scale as Drifted and leaves it', async () => {
    await docker('service', 'update', '--detach', '--replicas', '2', `${DET}_web`);
    const drifted = await waitFor(`Drifted=True on ${key(DET)}\n${ctl.tail()}`, 30_000, async () => {
      const c = await status.condition(key(DET), 'Drifted');
      return c?.status === 'True' ? c : undefined;
    });
    expect(drifted.message).toContain('Mode.Replicated.Replicas');
    expect(drifted.message).toContain(`${DET}_web`);
    expect((await serviceSpec(`${DET}_web`))?.replicas).toBe(2);
    expect(await metric('swarmkeeper_drift_detected', { key: key(DET) })).toBe(1);
  });

  it('ignore [Mode.Replicated.Replicas]: an out-of-band scale is kept', async () => {
    await docker('service', 'update', '--detach', '--replicas', '3', `${IGN}_web`);
    // The reconcile that follows the scale records the service health it observed (3 desired tasks).
    await waitFor(
      `status of ${key(IGN)} to show 3 running replicas\n${ctl.tail()}`,
      45_000,
      async () => {
        const s = await status.get(key(IGN));
        const h = s?.services?.find((x) => x.name === `${IGN}_web`);
        return h?.desiredReplicas === 3 && h.runningReplicas === 3 ? true : undefined;
      },
      250,
    );
    expect((await serviceSpec(`${IGN}_web`))?.replicas).toBe(3);
    expect((await status.condition(key(IGN), 'Drifted'))?.status).toBe('False');
  });

  it('dir source: an edited compose file converges', async () => {
    writeStack(GIT, compose({ V: '2' }));
    await waitFor(`${GIT}_web to get V=2\n${ctl.tail()}`, 30_000, async () =>
      JSON.stringify((await serviceSpec(`${GIT}_web`))?.env) === JSON.stringify(['V=2']) ? true : undefined,
    );
  });

  it('dir source: a broken YAML file next to a valid one keeps its resources; the valid one converges', async () => {
    const brkBefore = await serviceSpec(`${BRK}_web`);
    writeFileSync(src.path(BRK, 'docker-compose.yml'), 'services:\n  web: [unclosed\n');
    writeStack(GIT, compose({ V: '3' }));
    // the broken file still names its stack, whose status carries the coded error naming the file
    const st = await waitFor(`status of ${BRK} naming its file\n${ctl.tail()}`, 30_000, async () => {
      const s = JSON.stringify((await status.get(key(BRK))) ?? {});
      return s.includes(`${BRK}/docker-compose.yml`) ? s : undefined;
    });
    expect(st).toContain('InvalidYAML');
    await waitFor(`${GIT}_web to get V=3\n${ctl.tail()}`, 30_000, async () =>
      JSON.stringify((await serviceSpec(`${GIT}_web`))?.env) === JSON.stringify(['V=3']) ? true : undefined,
    );
    // Let the work the snapshot caused drain, then: nothing of the broken file was pruned.
    await waitFor('an idle work queue', 30_000, async () => {
      const m = await ctl.metrics();
      const busy =
        metricSum(m, 'swarmkeeper_queue_depth', { state: 'waiting' }) +
        metricSum(m, 'swarmkeeper_queue_depth', { state: 'active' });
      return busy === 0 ? true : undefined;
    });
    expect((await serviceSpec(`${BRK}_web`))?.id).toBe(brkBefore?.id);
    expect(await status.get(key(BRK))).toBeDefined();
    expect(ctl.find('pruned objects of a resource removed from its source', { key: key(BRK) })).toEqual([]);
  });

  it('dir source: deleting a stack folder prunes its services', async () => {
    rmSync(src.path(GIT), { recursive: true, force: true });
    await waitFor(`${GIT}_web to be removed\n${ctl.tail()}`, 30_000, async () =>
      (await serviceSpec(`${GIT}_web`)) === undefined ? true : undefined,
    );
    await waitFor(`status of ${key(GIT)} to be deleted`, 15_000, async () =>
      (await status.get(key(GIT))) === undefined ? true : undefined,
    );
    // the other stacks are untouched
    expect((await servicesOf(id)).map((s) => s.name)).toContain(`${APP}_web`);
    expect(await serviceSpec(`${BRK}_web`)).toBeDefined();
  });
});
