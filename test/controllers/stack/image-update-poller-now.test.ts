import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ImageUpdatePoller, type ImageWatch } from '../../../controllers/stack/image-update-poller.js';
import type { ImageResolver, RegistryTags } from '../../../controllers/ports.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const APP: ImageWatch = { image: 'reg:5000/app:1', policy: { kind: 'digest' } };
const OTHER: ImageWatch = { image: 'reg:5000/other:1', policy: { kind: 'digest' } };
const SEM: ImageWatch = { image: 'reg:5000/app:1.2.1', policy: { kind: 'semver', range: '^1.2' } };

/** A registry whose answers the test sets; `hold` keeps the next digest answers until released. */
function fakeRegistry() {
  const state = { digest: D1, tags: ['1.2.1'], asked: [] as string[] };
  const held: (() => void)[] = [];
  let hold = false;
  const resolver: ImageResolver = {
    resolveImage: async (image) => {
      state.asked.push(image);
      const answer = state.digest;
      if (hold) await new Promise<void>((r) => held.push(r));
      return { digest: answer, platforms: [] };
    },
  };
  const tags: RegistryTags = {
    listTags: async (repo) => {
      state.asked.push(repo);
      return [...state.tags];
    },
  };
  return {
    state,
    resolver,
    tags,
    hold: (on: boolean) => void (hold = on),
    release: () => held.splice(0).forEach((r) => r()),
    heldCount: () => held.length,
  };
}

function poller(retryDelaysMs: number[] = []) {
  const reg = fakeRegistry();
  const enqueued: string[] = [];
  const p = new ImageUpdatePoller({
    resolver: reg.resolver,
    tags: reg.tags,
    intervalMs: 600_000,
    pollNowRetryMs: retryDelaysMs,
    enqueue: async (key) => void enqueued.push(key),
    logger: pino({ level: 'silent' }),
  });
  return { p, reg, enqueued };
}

async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}

describe('ImageUpdatePoller.pollNow', () => {
  it('polls only the images selected and enqueues only the stacks whose facts changed', async () => {
    const { p, reg, enqueued } = poller();
    p.watch('S/a', [APP]);
    p.watch('S/b', [OTHER]);
    p.watch('S/c', [APP, SEM]);
    await p.poll();
    enqueued.length = 0;
    reg.state.asked.length = 0;
    reg.state.digest = D2;
    const { images, done } = p.pollNow((w) => w.image === APP.image);
    expect(images).toEqual([APP.image]);
    await done;
    expect(reg.state.asked).toEqual([APP.image]);
    expect(new Set(enqueued)).toEqual(new Set(['S/a', 'S/c']));
    expect(p.factsOf(APP.image, APP.policy)?.resolution).toMatchObject({ digest: D2 });
    expect(p.factsOf(OTHER.image, OTHER.policy)?.resolution).toMatchObject({ digest: D1 });
  });

  it.each([
    ['nothing selected', () => false, []],
    ['unchanged facts', (w: ImageWatch) => w === APP, []],
  ])('%s: nothing is enqueued', async (_name, select, want) => {
    const { p, enqueued } = poller();
    p.watch('S/a', [APP]);
    await p.poll();
    enqueued.length = 0;
    const r = p.pollNow(select);
    await r.done;
    expect(enqueued).toEqual(want);
  });

  it('an image no stack follows is never polled', async () => {
    const { p, reg } = poller();
    const r = p.pollNow(() => true);
    await r.done;
    expect(r.images).toEqual([]);
    expect(reg.state.asked).toEqual([]);
  });

  it("a pass's answer asked before the push does not overwrite the newer answer of pollNow", async () => {
    const { p, reg, enqueued } = poller();
    p.watch('S/a', [APP]);
    await p.poll();
    enqueued.length = 0;
    reg.hold(true);
    const pass = p.poll(); // asks now: D1
    await until(() => reg.heldCount() === 1);
    reg.hold(false);
    reg.state.digest = D2; // the push
    await p.pollNow(() => true).done; // answers D2 first
    expect(p.factsOf(APP.image, APP.policy)?.resolution).toMatchObject({ digest: D2 });
    reg.release();
    await pass;
    expect(p.factsOf(APP.image, APP.policy)?.resolution).toMatchObject({ digest: D2 });
    expect(enqueued).toEqual(['S/a']);
  });

  it('stop waits for a pollNow in flight', async () => {
    const { p, reg } = poller();
    p.watch('S/a', [APP]);
    await p.poll();
    reg.hold(true);
    const r = p.pollNow(() => true);
    await until(() => reg.heldCount() === 1);
    let stopped = false;
    const s = p.stop().then(() => (stopped = true));
    await new Promise((res) => setImmediate(res));
    expect(stopped).toBe(false);
    reg.release();
    await s;
    await r.done;
    expect(stopped).toBe(true);
  });

  it('a registry not consistent yet when it notifies (an error, the old digest) is asked again, a few times', async () => {
    const { p, reg, enqueued } = poller([1, 1, 1]);
    p.watch('S/a', [APP]);
    await p.poll();
    enqueued.length = 0;
    reg.state.asked.length = 0;
    const answers = [new Error('500 Internal Server Error'), D1, D2];
    reg.resolver.resolveImage = async (image) => {
      reg.state.asked.push(image);
      const a = answers.shift() ?? D2;
      if (a instanceof Error) throw a;
      return { digest: a, platforms: [] };
    };
    await p.pollNow(() => true).done;
    expect(reg.state.asked).toHaveLength(3);
    expect(p.factsOf(APP.image, APP.policy)?.resolution).toMatchObject({ digest: D2 });
    expect(p.warningsOf([APP])).toEqual([]);
    expect(enqueued.at(-1)).toBe('S/a');
  });

  it('an answer that never changes is asked at most 1 + retries times', async () => {
    const { p, reg } = poller([1, 1]);
    p.watch('S/a', [APP]);
    await p.poll();
    reg.state.asked.length = 0;
    await p.pollNow(() => true).done;
    expect(reg.state.asked).toHaveLength(3);
  });
});
