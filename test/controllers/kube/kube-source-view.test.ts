// KubeSource's view of every resource while it leads (informers listed), over a fake KubeInformers:
// what a resync pass asks once per key (resources(), through DesiredState.allResources) is built
// once per change of the informers' cache, not once per call. The real informers run against a
// kube-apiserver in test/integration/kube-*.test.ts.
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { CustomObject } from '../../../controllers/kube/cr-resource.js';
import { KubeSource } from '../../../controllers/kube/kube-source.js';
import type { KindName } from '../../../reconciler/api/index.js';

/** A cached object with its kind, as KubeInformers.objects() yields it. */
type Cached = { kind: KindName; obj: CustomObject };

/** The informers of the last KubeSource started: a cache of objects, and a count of full reads. */
const fake = vi.hoisted(() => ({
  objects: [] as Cached[],
  reads: 0,
  generation: 0,
  onChange: (() => undefined) as () => void,
}));

vi.mock('../../../controllers/kube/kube-informers.js', () => ({
  KubeInformers: class {
    constructor(opts: { onChange: () => void }) {
      fake.onChange = opts.onChange;
    }
    readonly listed = true;
    readonly synced = true;
    readonly running = 1;
    get generation() {
      return fake.generation;
    }
    start = () => Promise.resolve(true);
    stop = () => Promise.resolve();
    object = () => undefined;
    *objects() {
      fake.reads++;
      yield* fake.objects;
    }
  },
}));

const stack = (name: string, generation = 1): Cached => ({
  kind: 'SwarmStack',
  obj: {
    apiVersion: 'swarmkeeper.io/v1alpha1',
    kind: 'SwarmStack',
    metadata: { name, namespace: 'default', generation },
    spec: { compose: { services: {} } },
  } as CustomObject,
});

/** A cache change as the informer reports it: the cache first, then its generation and the event. */
function change(objects: Cached[]): void {
  fake.objects = objects;
  fake.generation++;
  fake.onChange();
}

async function leader() {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const src = new KubeSource({ kubeConfig, logger: pino({ level: 'silent' }), kinds: ['SwarmStack'] });
  const snaps: number[] = [];
  await src.start((s) => void snaps.push(s.resources.length));
  return { src, snaps };
}

describe('KubeSource: the leader answers every resource from its informer cache', () => {
  it('a pass of N calls to resources() reads and converts the cache once; a change builds it once more', async () => {
    fake.objects = Array.from({ length: 50 }, (_, i) => stack(`s${i}`));
    fake.reads = 0;
    const { src, snaps } = await leader();
    expect(snaps).toEqual([50]); // the start-up snapshot
    const first = await src.resources();
    for (let i = 0; i < 49; i++) expect(await src.resources()).toBe(first);
    expect(first.map((r) => r.key)).toHaveLength(50);
    expect(fake.reads).toBe(1);
    // a changed object: the next read sees it, built once for the snapshot emitted and the pass after
    change([...fake.objects.slice(1), stack('s0', 2), stack('new')]);
    const after = await src.resources();
    expect(after).not.toBe(first);
    expect(after.find((r) => r.key === 'SwarmStack/default/s0')?.generation).toBe(2);
    expect(after.map((r) => r.key)).toContain('SwarmStack/default/new');
    for (let i = 0; i < 10; i++) expect(await src.resources()).toBe(after);
    expect(fake.reads).toBe(2);
    await src.stop();
  });
});
