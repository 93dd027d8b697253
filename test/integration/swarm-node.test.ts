// SwarmNode on a real multi-node lab (own lab `sknode`, subnet 10.91.0): n1 is the lab's one manager
// (the controller's DOCKER_HOST); n2, n3 and n4 are fresh daemons (`lab add-node`, not joined) that
// `swarmkeeper run` joins from SwarmNode YAML files: a worker and managers with labels, a drain that
// moves a replicated service's tasks away (progress in status, Drained at the end) and back to active,
// and the removal of two of three managers: the first goes, the second is refused (quorum).
import { rmSync, writeFileSync } from 'node:fs';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labAddNode, labDown, labUp, socketPath, type LabEnv, type LabNode } from '../lab/lab.js';
import { ControllerProcess, killAll, waitFor } from './helpers/controller-process.js';
import { StatusReader, type StoredStatus } from './helpers/controller-swarm.js';
import { tempDir } from './helpers/tmp.js';

const LAB = { name: 'sknode', subnet: '10.91.0' };
const instance = `sknode-${process.pid}`;
const SERVICE = 'sknode-web';

let lab: LabEnv;
let fresh: LabNode[];
let manager: Docker;
let status: StatusReader;
let ctl: ControllerProcess | undefined;
const src = tempDir('sk-node-');

const engine = (n: Pick<LabNode, 'dockerHost'>) => new Docker({ socketPath: socketPath(n.dockerHost) });
const key = (name: string) => `SwarmNode/default/${name}`;
const file = (name: string) => `${src.dir}/${name}.yaml`;

function nodeYaml(name: string, n: LabNode, spec: Record<string, string | Record<string, string>>): string {
  const lines = [
    'apiVersion: swarmkeeper.io/v1alpha1',
    'kind: SwarmNode',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    `  address: ${n.dockerHost}`,
    `  advertiseAddr: ${n.addr}`,
    `  listenAddr: ${n.addr}:2377`,
  ];
  for (const [k, v] of Object.entries(spec)) {
    if (typeof v === 'string') lines.push(`  ${k}: ${v}`);
    else {
      lines.push(`  ${k}:`);
      for (const [lk, lv] of Object.entries(v)) lines.push(`    ${lk}: ${lv}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

interface NodeStatus extends StoredStatus {
  phase?: string;
  progress?: string;
  nodeId?: string;
  hostname?: string;
  role?: string;
  availability?: string;
  state?: string;
  engineVersion?: string;
}

const read = async (name: string) => (await status.get(key(name))) as NodeStatus | undefined;
const cond = (s: NodeStatus | undefined, type: string) => s?.conditions.find((c) => c.type === type);

async function waitStatus(name: string, what: string, ok: (s: NodeStatus) => boolean, timeoutMs = 150_000) {
  return waitFor(
    `${key(name)}: ${what}\n${ctl?.tail() ?? ''}`,
    timeoutMs,
    async () => {
      const s = await read(name);
      return s !== undefined && ok(s) ? s : undefined;
    },
    200,
  );
}

interface EngineNode {
  ID: string;
  Spec: { Role: string; Availability: string; Labels: Record<string, string> };
  Description: { Hostname: string };
  Status: { State: string };
  ManagerStatus?: { Reachability: string };
}
interface EngineTask {
  NodeID?: string;
  DesiredState: string;
  Status: { State: string };
}

const nodes = async () => (await manager.listNodes()) as EngineNode[];
const localState = async (n: LabNode) =>
  ((await engine(n).info()) as { Swarm: { LocalNodeState: string } }).Swarm.LocalNodeState;
const serviceTasks = async () =>
  (await manager.listTasks({
    filters: { service: [SERVICE], 'desired-state': ['running'] },
  })) as EngineTask[];

const controllers: ControllerProcess[] = [];
async function startController(label: string): Promise<ControllerProcess> {
  const c = await ControllerProcess.start({
    instanceId: instance,
    sources: [src.dir],
    redisUrl: lab.redisUrl,
    label,
    // removing 2 of 3 SwarmNodes at once is the point of the last test, not a source accident
    args: ['--max-prune-fraction', '1'],
    env: { DOCKER_HOST: lab.dockerHost },
  });
  controllers.push(c);
  await c.waitReady(60_000);
  return c;
}

describe('SwarmNode: join, drain, remove on a real lab', () => {
  beforeAll(async () => {
    await labDown(LAB); // a lab kept from an earlier run has its nodes joined already
    lab = await labUp({ ...LAB, nodes: 1 });
    fresh = [];
    for (let i = 0; i < 3; i++) fresh.push(await labAddNode(LAB));
    manager = engine(lab.nodes[0]!);
    status = new StatusReader(instance, lab.redisUrl);
    ctl = await startController('sknode');
  }, 400_000);

  afterAll(async () => {
    if (ctl?.alive) {
      ctl.signal('SIGTERM');
      await Promise.race([ctl.exited, new Promise((r) => setTimeout(r, 10_000))]);
    }
    await killAll();
    await manager
      ?.getService(SERVICE)
      .remove()
      .catch(() => undefined);
    await status?.purge().catch(() => undefined);
    status?.close();
    src.remove();
    if (process.env.SK_LAB_KEEP !== '1') await labDown(LAB);
  }, 180_000);

  it('joins two fresh daemons as a worker and a manager, with their labels; both Ready', async () => {
    const [n2, n3] = fresh as [LabNode, LabNode, LabNode];
    writeFileSync(
      file('worker-a'),
      nodeYaml('worker-a', n2, { role: 'worker', labels: { zone: 'a', disk: 'ssd' } }),
    );
    writeFileSync(file('manager-b'), nodeYaml('manager-b', n3, { role: 'manager', labels: { zone: 'b' } }));

    const w = await waitStatus('worker-a', 'Ready', (s) => cond(s, 'Ready')?.status === 'True');
    const m = await waitStatus('manager-b', 'Ready', (s) => cond(s, 'Ready')?.status === 'True');
    expect(w).toMatchObject({
      phase: 'Ready',
      hostname: n2.hostname,
      role: 'worker',
      availability: 'active',
      state: 'ready',
    });
    expect(m).toMatchObject({
      phase: 'Ready',
      hostname: n3.hostname,
      role: 'manager',
      availability: 'active',
      state: 'ready',
    });
    expect(w.engineVersion).toMatch(/^\d+\.\d+/);
    expect(cond(w, 'Ready')?.reason).toBe('Joined');
    expect(cond(w, 'Stalled')?.status).toBe('False');

    const all = await nodes();
    const wn = all.find((n) => n.ID === w.nodeId);
    const mn = all.find((n) => n.ID === m.nodeId);
    expect(wn).toMatchObject({
      Spec: {
        Role: 'worker',
        Labels: {
          zone: 'a',
          disk: 'ssd',
          'swarmkeeper.io/owner': key('worker-a'),
          'swarmkeeper.io/instance': instance,
        },
      },
    });
    expect(mn).toMatchObject({
      Spec: { Role: 'manager', Labels: { zone: 'b' } },
      ManagerStatus: { Reachability: 'reachable' },
    });
    expect(await localState(n2)).toBe('active');
    expect(await localState(n3)).toBe('active');
  });

  it('drains the worker: tasks move off it, progress in status, Drained at the end; back to active', async () => {
    const [n2] = fresh as [LabNode];
    await manager.createService({
      Name: SERVICE,
      TaskTemplate: {
        ContainerSpec: {
          Image: 'local/busybox:1',
          Command: ['sleep', '100000'],
          StopGracePeriod: 5_000_000_000,
        },
      },
      Mode: { Replicated: { Replicas: 6 } },
      EndpointSpec: { Mode: 'dnsrr' },
    });
    const w = (await read('worker-a'))!;
    await waitFor(
      '6 tasks running, some on the worker',
      120_000,
      async () => {
        const t = await serviceTasks();
        const running = t.filter((x) => x.Status.State === 'running');
        return running.length === 6 && running.some((x) => x.NodeID === w.nodeId) ? true : undefined;
      },
      250,
    );

    const progress = new Set<string>();
    const watching = { on: true };
    const watcher = (async () => {
      while (watching.on) {
        const s = await read('worker-a').catch(() => undefined);
        if (s?.phase === 'Draining' && s.progress) progress.add(s.progress);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    let drained: NodeStatus;
    writeFileSync(
      file('worker-a'),
      nodeYaml('worker-a', n2, { role: 'worker', availability: 'drain', labels: { zone: 'a', disk: 'ssd' } }),
    );
    // the controller dies in the middle of the drain (the tasks take 5 s to stop); another one resumes
    // the drain machine from its snapshot in Redis
    try {
      await waitStatus('worker-a', 'Draining', (s) => s.phase === 'Draining', 60_000);
      await ctl!.kill9();
      ctl = await startController('sknode-2');
      drained = await waitStatus('worker-a', 'Drained', (s) => s.phase === 'Drained');
    } finally {
      watching.on = false;
      await watcher;
    }
    expect(ctl.find('resumed an interrupted node machine', { machine: 'nodeDrain' }).length).toBe(1);

    expect(
      [...progress].some((p) =>
        /^\d+ tasks? left on node sknode-n2$|^waiting for replacements elsewhere/.test(p),
      ),
    ).toBe(true);
    expect(drained).toMatchObject({ availability: 'drain', role: 'worker' });
    expect(cond(drained, 'Drained')).toMatchObject({ status: 'True', reason: 'Drained' });
    expect(cond(drained, 'Ready')?.status).toBe('True');
    const tasks = await serviceTasks();
    expect(tasks.filter((t) => t.NodeID === w.nodeId)).toEqual([]);
    expect(tasks.filter((t) => t.Status.State === 'running').length).toBe(6);
    expect((await nodes()).find((n) => n.ID === w.nodeId)?.Spec.Availability).toBe('drain');

    writeFileSync(
      file('worker-a'),
      nodeYaml('worker-a', n2, {
        role: 'worker',
        availability: 'active',
        labels: { zone: 'a', disk: 'ssd' },
      }),
    );
    const back = await waitStatus(
      'worker-a',
      'active again',
      (s) => s.phase === 'Ready' && s.availability === 'active',
    );
    expect(cond(back, 'Drained')).toBeUndefined();
    expect((await nodes()).find((n) => n.ID === w.nodeId)?.Spec.Availability).toBe('active');
  });

  it('with 3 managers, removing two: the first goes, the second is refused, the swarm keeps quorum', async () => {
    const [, n3, n4] = fresh as [LabNode, LabNode, LabNode];
    writeFileSync(file('manager-c'), nodeYaml('manager-c', n4, { role: 'manager' }));
    await waitStatus('manager-c', 'Ready', (s) => cond(s, 'Ready')?.status === 'True');
    const managers = (await nodes()).filter((n) => n.Spec.Role === 'manager');
    expect(managers.map((n) => n.ManagerStatus?.Reachability)).toEqual([
      'reachable',
      'reachable',
      'reachable',
    ]);
    const ids = {
      'manager-b': (await read('manager-b'))!.nodeId!,
      'manager-c': (await read('manager-c'))!.nodeId!,
    };

    // both files go at once: the removals are serialised, the second one sees 2 managers
    rmSync(file('manager-b'));
    rmSync(file('manager-c'));
    const outcome = await waitFor(
      `one removed, one refused\n${ctl?.tail() ?? ''}`,
      240_000,
      async () => {
        const [b, c] = [await read('manager-b'), await read('manager-c')];
        const refused = (s: NodeStatus | undefined) => cond(s, 'Stalled')?.reason === 'QuorumWouldBeLost';
        if (b === undefined && refused(c))
          return { removed: 'manager-b' as const, kept: 'manager-c' as const, st: c! };
        if (c === undefined && refused(b))
          return { removed: 'manager-c' as const, kept: 'manager-b' as const, st: b! };
        return undefined;
      },
      250,
    );
    const removedNode = outcome.removed === 'manager-b' ? n3 : n4;
    const keptNode = outcome.removed === 'manager-b' ? n4 : n3;

    expect(outcome.st).toMatchObject({ phase: 'Stalled', role: 'manager' });
    expect(cond(outcome.st, 'Stalled')).toMatchObject({ status: 'True', reason: 'QuorumWouldBeLost' });
    expect(cond(outcome.st, 'Stalled')?.message).toBe(
      `refusing to remove manager ${keptNode.hostname}: the swarm would lose its Raft majority: ` +
        '1 reachable manager of 2 would remain; a majority of the 2 current managers is 2 ' +
        '(the removed manager counts as a failure until the change is committed, and 2 managers tolerate 0 failures)',
    );
    expect(cond(outcome.st, 'Ready')?.status).toBe('False');

    const after = await nodes();
    expect(after.find((n) => n.ID === ids[outcome.removed])).toBeUndefined();
    expect(await localState(removedNode)).toBe('inactive');
    expect(after.find((n) => n.ID === ids[outcome.kept])).toMatchObject({
      Spec: { Role: 'manager' },
      ManagerStatus: { Reachability: 'reachable' },
    });
    // quorum: both remaining managers reachable, and the manager answers swarm-wide calls
    const left = after.filter((n) => n.Spec.Role === 'manager');
    expect(left.map((n) => n.ManagerStatus?.Reachability)).toEqual(['reachable', 'reachable']);
    expect(((await manager.info()) as { Swarm: { ControlAvailable: boolean } }).Swarm.ControlAvailable).toBe(
      true,
    );
  });
  it('never writes a join token to a log, a status or a snapshot', async () => {
    const logs = controllers
      .map((c) => [...c.logs.map((l) => JSON.stringify(l)), ...c.raw].join('\n'))
      .join('\n');
    expect(logs).toContain('joined the swarm');
    expect(logs).not.toMatch(/SWMTKN/);
    for (const h of ['status', 'machines', 'swarmnodes'])
      expect(JSON.stringify(await status.redis.hgetall(`swarmkeeper:${instance}:${h}`))).not.toMatch(
        /SWMTKN/,
      );
  });
});
