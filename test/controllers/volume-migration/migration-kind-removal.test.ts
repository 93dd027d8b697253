// Removal of a SwarmVolumeMigration: what remove() does with the snapshot it finds (another
// machine's, none, an interrupted migrate or cancel run, a completed one), and its errors and requeues.
import { describe, expect, it } from 'vitest';
import { KEY, hang, harness, resource } from './migration-kind-harness.js';

type Ctx = { mode: string; cancelReason?: string; completed: boolean };
const storedContext = async (h: ReturnType<typeof harness>) =>
  ((await h.store.load(KEY))?.snapshot as { context: Ctx }).context;

/** A run interrupted in `step` by the deletion of its resource. */
async function deletedDuring(h: ReturnType<typeof harness>, step: 'copy' | 'removeSource') {
  const res = resource(step === 'removeSource' ? { deleteSource: true } : {});
  h.setResources([res]);
  h.setActors({
    [step]: async ({ signal }: { signal: AbortSignal }) => {
      setTimeout(() => h.setResources([]), 5);
      return hang(signal);
    },
  });
  const r = await h.reconciler.reconcile(res, h.ctx());
  h.calls.length = 0;
  h.setActors({});
  return r;
}

describe('SwarmVolumeMigration kind: remove', () => {
  it("leaves another machine's snapshot alone and is done", async () => {
    const h = harness();
    const other = { machine: 'other-machine', inputHash: 'x', snapshot: { context: {} }, savedAt: '' };
    await h.store.save(KEY, other);
    expect(await h.reconciler.remove!(KEY, undefined, h.ctx())).toEqual({ done: true });
    expect(h.calls).toEqual([]);
    expect(await h.store.load(KEY)).toEqual(other);
  });

  it('a snapshot without context is nothing to undo', async () => {
    const h = harness();
    await deletedDuring(h, 'copy');
    const stored = (await h.store.load(KEY))!;
    await h.store.save(KEY, { ...stored, snapshot: { value: 'x' } });
    expect(await h.reconciler.remove!(KEY, undefined, h.ctx())).toEqual({ done: true });
    expect(h.calls).toEqual([]);
  });

  it('a node without endpoint: not done, the endpoint error, requeued after retryMs; snapshot kept', async () => {
    const a = harness();
    await deletedDuring(a, 'copy');
    const b = harness({ known: ['n1'], deps: { store: a.store, retryMs: 1234 } });
    const r = await b.reconciler.remove!(KEY, undefined, b.ctx());
    expect(r.done).toBe(false);
    expect(r.requeueAfterMs).toBe(1234);
    expect(r.error).toMatchObject({ code: 'SK_ERR_DEPENDENCY_NOT_READY' });
    expect(r.error?.message).toMatch(/n2/);
    expect(b.calls).toEqual([]);
    expect(await a.store.keys()).toEqual([KEY]);
  });

  it('an interrupted rollback keeps the first cancel reason; a stopped one is a DOCKER_API error', async () => {
    const h = harness({ deps: { retryMs: 99 } });
    await deletedDuring(h, 'copy');
    const stopOnce = async () => {
      const stop = new AbortController();
      h.setActors({
        scaleUp: async ({ signal }) => {
          setTimeout(() => stop.abort(new Error('shutting down')), 5);
          return hang(signal);
        },
      });
      return h.reconciler.remove!(KEY, undefined, h.ctx(undefined, stop.signal));
    };
    const first = await stopOnce();
    expect(first.done).toBe(false);
    expect(first.requeueAfterMs).toBe(99);
    expect(first.error).toMatchObject({ code: 'SK_ERR_DOCKER_API' });
    expect(first.error?.message).toBe(
      `${KEY}: rollback of the deleted migration: machine volumeMigration (${KEY}) stopped: Error: shutting down`,
    );
    expect(await storedContext(h)).toMatchObject({
      mode: 'cancel',
      cancelReason: `${KEY} was deleted while Copying`,
    });
    await stopOnce();
    expect((await storedContext(h)).cancelReason).toBe(`${KEY} was deleted while Copying`);
    h.setActors({});
    expect(await h.reconciler.remove!(KEY, undefined, h.ctx())).toEqual({ done: true });
    expect(h.calls.at(-1)).toBe('restoreReplicas');
    expect(await h.store.keys()).toEqual([]);
  });

  it('deleted once the consumers run on the target: the migration is finished, nothing rolled back', async () => {
    const h = harness();
    const r = await deletedDuring(h, 'removeSource');
    expect(r.status['phase']).toBe('RemovingSource');
    expect((await storedContext(h)).completed).toBe(true);
    expect(await h.reconciler.remove!(KEY, undefined, h.ctx())).toEqual({ done: true });
    expect(h.calls).not.toContain('restoreMounts');
    expect(h.calls).not.toContain('restoreReplicas');
    expect(h.calls).toContain('removeSource');
    expect(await h.store.keys()).toEqual([]);
  });

  it('a resource marked for deletion (deletionTimestamp) mid-run stops the run like a removed one', async () => {
    const h = harness();
    const res = resource();
    h.setResources([res]);
    h.setActors({
      copy: async ({ signal }) => {
        const doc = { metadata: { name: 'move', deletionTimestamp: '2026-01-01T00:00:00Z' } };
        setTimeout(() => h.setResources([{ ...res, document: doc }]), 5);
        return hang(signal);
      },
    });
    const r = await h.reconciler.reconcile(res, h.ctx());
    expect(r.status['phase']).toBe('Copying');
    expect(r.error).toBeUndefined();
    expect(r.requeueAfterMs).toBe(200);
    expect(await h.store.keys()).toEqual([KEY]);
  });
});
