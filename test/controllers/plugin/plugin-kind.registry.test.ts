// The SwarmPlugin registry entry (swarmPluginKind): Redis for ownership and snapshots, the shared
// node endpoints (static ones from the command line), Events through the recorder; node events
// requeue every plugin.
import pino from 'pino';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { isNodeEvent } from '../../../controllers/machine-runner/kind-status.js';
import { swarmPluginKind } from '../../../controllers/plugin/plugin-kind.js';
import type { KindReconcileContext, ResourceEvent } from '../../../controllers/ports.js';
import { noSecrets } from '../../../controllers/sources/dir-secrets.js';
import { FakePluginSwarm } from './fake-plugin-swarm.js';
import { KEY, NETWORK_NONE, REF1 } from './plugin-harness.js';

/** The hash commands the Redis stores use, over maps. */
function mapRedis() {
  const h = new Map<string, Map<string, string>>();
  const of = (k: string) => h.get(k) ?? h.set(k, new Map()).get(k)!;
  const redis = {
    hgetall: async (k: string) => Object.fromEntries(of(k)),
    hget: async (k: string, f: string) => of(k).get(f) ?? null,
    hset: async (k: string, f: string, v: string) => void of(k).set(f, v),
    hdel: async (k: string, f: string) => void of(k).delete(f),
    hkeys: async (k: string) => [...of(k).keys()],
  };
  return { h, redis: redis as unknown as Redis };
}

const ctx = (): KindReconcileContext => ({
  signal: new AbortController().signal,
  reconcileId: 'r1',
  prev: undefined,
  log: pino({ level: 'silent' }),
  root: '.',
  progress: async () => undefined,
  resources: () => [],
});

const res = {
  key: KEY,
  kind: 'SwarmPlugin',
  namespace: 'default',
  name: 'swlvol',
  generation: 1,
  spec: { remote: REF1, alias: 'swlvol', allowedPrivileges: [{ name: 'network', value: ['none'] }] },
  origin: { file: 'swlvol.yaml' },
  baseDir: '.',
};

describe('swarmPluginKind', () => {
  it.each([true, false])(
    'installs and removes through Redis records (recorder given: %s)',
    async (withRecorder) => {
      const swarm = new FakePluginSwarm();
      swarm.registry.set(REF1, NETWORK_NONE);
      swarm.node('n1');
      const { h, redis } = mapRedis();
      const events: ResourceEvent[] = [];
      const kind = swarmPluginKind({
        docker: swarm.manager,
        redis,
        instanceId: 'i1',
        logger: pino({ level: 'silent' }),
        secrets: noSecrets,
        staticEndpoints: swarm.endpoints,
        ...(withRecorder ? { recorder: { record: (e: ResourceEvent) => void events.push(e) } } : {}),
      });
      expect(kind.wantsEvent).toBe(isNodeEvent);
      const out = await kind.reconcile(res, ctx());
      expect(out.status).toMatchObject({ phase: 'Ready', progress: '1/1 nodes' });
      expect(JSON.parse(h.get(`swarmkeeper:i1:owned:${KEY}`)!.get('N-n1/swlvol')!)).toEqual({
        nodeId: 'N-n1',
        hostname: 'n1',
        name: 'swlvol',
      });
      expect(await kind.remove!(KEY, undefined, ctx())).toEqual({ done: true });
      expect(swarm.nodes.get('N-n1')!.plugins.size).toBe(0);
      expect(h.get(`swarmkeeper:i1:owned:${KEY}`)!.size).toBe(0);
      expect(events.map((e) => e.note)).toEqual(withRecorder ? ['plugin uninstalled: swlvol on n1'] : []);
    },
  );
});
