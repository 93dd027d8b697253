// SwarmPlugin/SwarmVolume kinds: endpoints from SwarmNode resources.
import type Docker from 'dockerode';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { staticNodeEndpoints } from '../../../controllers/machine-runner/node-endpoints.js';
import { ResourceNodeEndpoints } from '../../../controllers/machine-runner/resource-node-endpoints.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';

describe('ResourceNodeEndpoints', () => {
  const swarmNode = (name: string, address: string): DesiredResource => ({
    key: `SwarmNode/default/${name}`,
    kind: 'SwarmNode',
    namespace: 'default',
    name,
    spec: { address },
    origin: { file: `${name}.yaml` },
    baseDir: '.',
  });
  const fakeDocker = (address: string) => ({ address }) as unknown as Docker;
  const setup = (answers: Record<string, { nodeId?: string; hostname?: string } | Error>) => {
    let t = 0;
    const asked: string[] = [];
    const r = new ResourceNodeEndpoints({
      secrets: { get: () => Promise.reject(new Error('no secrets')) },
      staticEndpoints: staticNodeEndpoints({ 'static-host': 'unix:///static.sock' }),
      connect: async (_k, _ns, spec) => fakeDocker(spec.address),
      identify: async (d) => {
        const a = (d as unknown as { address: string }).address;
        asked.push(a);
        const v = answers[a];
        if (v instanceof Error || v === undefined) throw v ?? new Error('no answer');
        return v;
      },
      retryMs: 1000,
      ttlMs: 60_000,
      now: () => t,
    });
    return { r, asked, tick: (ms: number) => (t += ms) };
  };
  const addr = (d: Docker | undefined) => (d as unknown as { address?: string } | undefined)?.address;

  it('finds a node by the ID its daemon reports, then by hostname, then the static endpoints', async () => {
    const { r } = setup({
      'tcp://a:2376': { nodeId: 'ID-A', hostname: 'host-a' },
      'tcp://b:2376': { hostname: 'host-b' },
    });
    const e = await r.resolve([swarmNode('a', 'tcp://a:2376'), swarmNode('b', 'tcp://b:2376')]);
    expect(addr(e.docker({ id: 'ID-A', hostname: 'renamed' }))).toBe('tcp://a:2376');
    expect(addr(e.docker({ id: 'ID-B', hostname: 'host-b' }))).toBe('tcp://b:2376');
    expect(e.describe({ id: 'ID-A', hostname: 'host-a' })).toBe(
      'host-a: SwarmNode SwarmNode/default/a (tcp://a:2376)',
    );
    expect(
      (e.docker({ id: 'x', hostname: 'static-host' })?.modem as { socketPath?: string }).socketPath,
    ).toBe('/static.sock');
    expect(e.docker({ id: 'x', hostname: 'nowhere' })).toBeUndefined();
    expect(e.describe({ id: 'x', hostname: 'nowhere' })).toBe(
      'nowhere: no SwarmNode resource and no --node-endpoint for it',
    );
  });

  it('asks each daemon once, again after a failure (retryMs) or a changed address, and says why it failed', async () => {
    const answers: Record<string, { nodeId?: string } | Error> = {
      'tcp://a:2376': new Error('connect ECONNREFUSED'),
    };
    const { r, asked, tick } = setup(answers);
    const log = pino({ level: 'silent' });
    let e = await r.resolve([swarmNode('a', 'tcp://a:2376')], log);
    expect(e.describe({ id: 'ID-A', hostname: 'host-a' })).toBe(
      'host-a: no SwarmNode resource and no --node-endpoint for it; unreachable: SwarmNode SwarmNode/default/a: connect ECONNREFUSED',
    );
    answers['tcp://a:2376'] = { nodeId: 'ID-A' };
    await r.resolve([swarmNode('a', 'tcp://a:2376')], log);
    expect(asked).toHaveLength(1); // within retryMs
    tick(1001);
    e = await r.resolve([swarmNode('a', 'tcp://a:2376')], log);
    expect(addr(e.docker({ id: 'ID-A', hostname: 'h' }))).toBe('tcp://a:2376');
    tick(5000);
    await r.resolve([swarmNode('a', 'tcp://a:2376')], log);
    expect(asked).toHaveLength(2); // cached within ttlMs
    answers['tcp://a2:2376'] = { nodeId: 'ID-A' };
    e = await r.resolve([swarmNode('a', 'tcp://a2:2376')], log);
    expect(addr(e.docker({ id: 'ID-A', hostname: 'h' }))).toBe('tcp://a2:2376');
    e = await r.resolve([], log);
    expect(e.docker({ id: 'ID-A', hostname: 'h' })).toBeUndefined();
  });
});
