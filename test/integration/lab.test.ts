// The test lab itself works: swarm, nodes, image, Redis, and a dnsrr service that reaches Running.
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { socketPath } from '../lab/lab.js';

const lab = inject('lab');
const docker = new Docker({ socketPath: socketPath(lab.dockerHost) });
const joined = lab.nodes.filter((n) => n.role !== 'none');
const serviceName = `sklabtest-${process.pid}-${Date.now().toString(36)}`;

describe('test lab', () => {
  afterAll(async () => {
    const left = await docker.listServices({ filters: { name: [serviceName] } });
    await Promise.all(left.map((s) => docker.getService(s.ID).remove()));
  });

  it('exports its variables to process.env', () => {
    expect(process.env.DOCKER_HOST).toBe(lab.dockerHost);
    expect(process.env.REDIS_URL).toBe(lab.redisUrl);
    expect(process.env.LAB_NODES).toBe(lab.nodes.map((n) => `n${n.index}`).join(','));
  });

  it('runs an active swarm with node 1 as a manager', async () => {
    const info = await docker.info();
    expect(info.Swarm.LocalNodeState).toBe('active');
    expect(info.Swarm.ControlAvailable).toBe(true);
    expect(lab.nodes[0]?.role).toBe('manager');
  });

  it('has every joined node Ready, with its own hostname', async () => {
    const nodes = await docker.listNodes();
    expect(nodes).toHaveLength(joined.length);
    expect(nodes.map((n) => n.Status?.State)).toEqual(joined.map(() => 'ready'));
    expect(nodes.map((n) => n.Description?.Hostname).sort()).toEqual(joined.map((n) => n.hostname).sort());
  });

  it.each(lab.nodes.map((n) => [n.index, n] as const))('has local/busybox:1 on node %i', async (_i, node) => {
    const engine = new Docker({ socketPath: socketPath(node.dockerHost) });
    const image = await engine.getImage('local/busybox:1').inspect();
    expect(image.RepoTags).toContain('local/busybox:1');
  });

  it('answers PING on Redis', async () => {
    const redis = new Redis(lab.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }
  });

  it('runs a dnsrr service with local/busybox:1 and removes it', async () => {
    const created = await docker.createService({
      Name: serviceName,
      TaskTemplate: {
        // Init: busybox httpd as PID 1 ignores SIGTERM, removal would wait the 10 s stop grace period
        ContainerSpec: { Image: 'local/busybox:1', Args: ['httpd', '-f', '-p', '8080'], Init: true },
      },
      Mode: { Replicated: { Replicas: joined.length } },
      EndpointSpec: { Mode: 'dnsrr' },
    });
    const id = (created as { id?: string; ID?: string }).id ?? (created as { ID?: string }).ID;
    expect(id).toBeTruthy();

    const running = await vi.waitFor(
      async () => {
        const tasks = await docker.listTasks({
          filters: { service: [serviceName], 'desired-state': ['running'] },
        });
        const states = tasks.map((t) => t.Status?.State);
        if (states.length !== joined.length || states.some((s) => s !== 'running')) {
          throw new Error(`tasks not running yet: ${JSON.stringify(states)}`);
        }
        return tasks;
      },
      { timeout: 60_000, interval: 200 },
    );
    // one task per node: the scheduler spreads replicas over all joined nodes
    expect(new Set(running.map((t) => t.NodeID)).size).toBe(joined.length);

    await docker.getService(serviceName).remove();
    const engines = joined.map((n) => new Docker({ socketPath: socketPath(n.dockerHost) }));
    await vi.waitFor(
      async () => {
        const filters = { label: [`com.docker.swarm.service.name=${serviceName}`] };
        const left = await Promise.all(engines.map((e) => e.listContainers({ all: true, filters })));
        const count = left.reduce((sum, c) => sum + c.length, 0);
        if (count > 0) throw new Error(`${count} task container(s) left`);
      },
      { timeout: 60_000, interval: 200 },
    );
    expect(await docker.listServices({ filters: { name: [serviceName] } })).toEqual([]);
  });
});
