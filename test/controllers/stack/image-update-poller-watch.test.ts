// The poller's life: what a stack's watch starts, which stacks a pass enqueues (and which it must
// not), that a poll asked while one runs joins it, what stop ends, and its interval timer.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ImageWatch } from '../../../controllers/stack/image-update-poller.js';
import { APP, D2, OTHER, SEM, poller, settle, until } from './image-update-poller-support.js';

const NO_REF: ImageWatch = { image: 'Not:A:Ref', policy: { kind: 'digest' } };
const unreachable = (lines: { msg: string }[]) =>
  lines.filter((l) => l.msg === 'image update: registry not reachable');

afterEach(() => {
  vi.useRealTimers();
});

describe('ImageUpdatePoller.watch', () => {
  it('a newly followed image is polled at once (no interval to wait) and its stack enqueued', async () => {
    const { p, reg, enqueued } = poller();
    p.watch('S/a', [APP]);
    await until(() => enqueued.includes('S/a'));
    expect(reg.state.asked).toEqual([APP.image]);
  });

  it('a stack that adds an image to known ones has the new one polled at once', async () => {
    const { p, reg, enqueued } = poller();
    p.watch('S/a', [APP]);
    await until(() => enqueued.includes('S/a'));
    p.watch('S/b', [APP, OTHER]);
    await until(() => enqueued.includes('S/b'));
    expect(reg.state.asked).toContain(OTHER.image);
  });

  it('a stack reconciled again with the same images while they are polled asks nothing more', async () => {
    const { p, reg, enqueued } = poller();
    reg.hold(true);
    p.watch('S/a', [APP]);
    await until(() => reg.heldCount() === 1);
    p.watch('S/a', [APP]);
    reg.hold(false);
    reg.release();
    await until(() => enqueued.includes('S/a'));
    await settle();
    expect(reg.state.asked).toEqual([APP.image]);
  });

  it('a stack following an image another stack is having polled is enqueued once it is known', async () => {
    const { p, reg, enqueued } = poller();
    reg.hold(true);
    p.watch('S/a', [APP]);
    await until(() => reg.heldCount() === 1);
    p.watch('S/b', [APP]);
    reg.hold(false);
    reg.release();
    await until(() => enqueued.includes('S/a') && enqueued.includes('S/b'));
    expect([...enqueued].sort()).toEqual(['S/a', 'S/b']);
  });

  it('an image that is no reference is never asked about, and following it starts no poll', async () => {
    const { p, reg, enqueued } = poller();
    p.watch('S/b', [APP]);
    await until(() => enqueued.includes('S/b'));
    await settle();
    p.watch('S/a', [NO_REF]);
    await p.poll();
    expect(reg.state.asked).toEqual([APP.image, APP.image]);
    expect(p.pollNow(() => true).images).toEqual([APP.image]);
    expect(enqueued).toEqual(['S/b']);
  });

  it('a stack that stops following is forgotten: later polls do not enqueue it', async () => {
    const { p, enqueued } = poller({ tags: false });
    p.watch('S/a', [SEM]);
    await p.poll();
    p.watch('S/a', []);
    await p.poll();
    expect(enqueued).toEqual([]);
  });

  it('without a tags client, a stack that also follows semver is enqueued only when its digest moves', async () => {
    const { p, reg, enqueued } = poller({ tags: false });
    p.watch('S/b', [APP]);
    await until(() => enqueued.includes('S/b'));
    await settle();
    p.watch('S/a', [APP, SEM]);
    await p.poll();
    expect(enqueued).toEqual(['S/b']);
    reg.state.digest = D2;
    await p.poll();
    expect([...enqueued].sort()).toEqual(['S/a', 'S/b', 'S/b']);
  });
});

describe('ImageUpdatePoller.poll and stop', () => {
  it('a poll asked while a pass runs joins it (never two questions at once), then one more pass follows', async () => {
    const { p, reg } = poller();
    reg.hold(true);
    p.watch('S/a', [APP]);
    await until(() => reg.heldCount() === 1);
    const second = p.poll();
    expect(reg.state.asked).toEqual([APP.image]);
    reg.hold(false);
    reg.release();
    await second;
    expect(reg.state.asked).toEqual([APP.image, APP.image]);
  });

  it('stop in the middle of a pass: the images left are not asked, no stack is enqueued', async () => {
    const { p, reg, enqueued } = poller();
    reg.hold(true);
    p.watch('S/a', [APP, OTHER]);
    await until(() => reg.heldCount() === 1);
    reg.hold(false);
    const stopped = p.stop();
    reg.release();
    await stopped;
    expect(reg.state.asked).toEqual([APP.image]);
    expect(enqueued).toEqual([]);
  });

  it('a question aborted by stop is no registry failure: no warning, no count, no enqueue', async () => {
    const { p, reg, enqueued, polls, lines } = poller();
    reg.hold(true);
    p.watch('S/a', [APP]);
    await until(() => reg.heldCount() === 1);
    const stopped = p.stop();
    reg.fail(new Error('This operation was aborted'));
    await stopped;
    expect(p.warningsOf([APP])).toEqual([]);
    expect(polls).toEqual([]);
    expect(unreachable(lines)).toEqual([]);
    expect(enqueued).toEqual([]);
  });

  it("a pass's failure asked before a push does not undo the push's newer answer", async () => {
    const { p, reg, enqueued, lines } = poller();
    p.watch('S/a', [APP]);
    await p.poll();
    enqueued.length = 0;
    reg.hold(true);
    const pass = p.poll();
    await until(() => reg.heldCount() === 1);
    reg.hold(false);
    reg.state.digest = D2;
    await p.pollNow(() => true).done;
    reg.fail(new Error('503 Service Unavailable'));
    await pass;
    expect(p.factsOf(APP.image, APP.policy)?.resolution).toMatchObject({ digest: D2 });
    expect(p.warningsOf([APP])).toEqual([]);
    expect(unreachable(lines)).toEqual([]);
    expect(enqueued).toEqual(['S/a']);
  });

  it('start sets one interval timer however often called; each tick polls; stop clears it', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { p, reg, enqueued } = poller();
    p.watch('S/a', [APP]);
    await until(() => enqueued.includes('S/a'));
    await settle();
    p.start();
    p.start();
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(600_000);
    expect(reg.state.asked).toEqual([APP.image, APP.image]);
    await p.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
