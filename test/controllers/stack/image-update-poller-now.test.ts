import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ImageWatch } from '../../../controllers/stack/image-update-poller.js';
import { APP, D1, D2, OTHER, SEM, poller, settle, until } from './image-update-poller-support.js';

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
    const { p, reg, enqueued } = poller({ retryMs: [1, 1, 1] });
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
    const { p, reg } = poller({ retryMs: [1, 1] });
    p.watch('S/a', [APP]);
    await p.poll();
    reg.state.asked.length = 0;
    await p.pollNow(() => true).done;
    expect(reg.state.asked).toHaveLength(3);
  });
});

describe('ImageUpdatePoller.pollNow retries (the default delays, on a fake clock)', () => {
  const start = async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const w = poller({ retryMs: undefined });
    w.p.watch('S/a', [APP, OTHER]);
    await until(() => w.enqueued.includes('S/a'));
    await settle();
    w.reg.state.asked.length = 0;
    w.enqueued.length = 0;
    return w;
  };
  afterEach(() => {
    vi.useRealTimers();
  });

  it('an answer that stays the same is asked at once, then after 1 s, 3 s and 10 s', async () => {
    const { p, reg } = await start();
    const r = p.pollNow((w) => w === APP);
    await settle();
    const asked = [reg.state.asked.length];
    for (const ms of [999, 1, 2999, 1, 9999, 1]) {
      await vi.advanceTimersByTimeAsync(ms);
      asked.push(reg.state.asked.length);
    }
    await r.done;
    expect(asked).toEqual([1, 1, 2, 2, 3, 3, 4]);
  });

  it('an answer that moved ends it at once: no retry is waited for', async () => {
    const { p, reg, enqueued } = await start();
    reg.state.digest = D2;
    let finished = false;
    void p.pollNow((w) => w === APP).done.then(() => (finished = true));
    await until(() => finished);
    expect(reg.state.asked).toEqual([APP.image]);
    expect(enqueued).toEqual(['S/a']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stop ends a pollNow waiting to ask again at once', async () => {
    const { p, reg } = await start();
    const r = p.pollNow((w) => w === APP);
    await settle();
    let stopped = false;
    void p.stop().then(() => (stopped = true));
    await until(() => stopped);
    await r.done;
    expect(reg.state.asked).toEqual([APP.image]);
  });

  it('stop in the middle of a pollNow: the images left are not asked', async () => {
    const { p, reg } = await start();
    reg.hold(true);
    const r = p.pollNow(() => true);
    await until(() => reg.heldCount() === 1);
    reg.hold(false);
    const stopped = p.stop();
    reg.release();
    await stopped;
    await r.done;
    expect(reg.state.asked).toEqual([APP.image]);
  });
});
