import { afterEach, describe, expect, it, vi } from 'vitest';
import { installSignalHandlers, type WorkQueue } from '../../../../controllers/runtime/queue/index.js';
import { gate } from './work-queue-harness.js';

/** A queue whose close() settles when the test says so. */
function fakeQueue() {
  const closing = gate();
  let fail: ((e: unknown) => void) | undefined;
  const failed = new Promise<void>((_r, reject) => (fail = reject));
  const close = vi.fn((_deadlineMs?: number) => Promise.race([closing.wait, failed]));
  return {
    queue: { close } as unknown as WorkQueue,
    close,
    resolve: closing.open,
    reject: (e: unknown) => fail?.(e),
  };
}

const flush = () => new Promise((r) => setImmediate(r));
let remove: (() => void) | undefined;
afterEach(() => {
  remove?.();
  remove = undefined;
  vi.restoreAllMocks();
});

describe('installSignalHandlers', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    '%s closes the queue once, exits 0 when closed; a second signal exits %d at once',
    async (sig, code) => {
      const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
      const f = fakeQueue();
      remove = installSignalHandlers(f.queue, { deadlineMs: 1234 });
      process.emit(sig, sig);
      expect(f.close).toHaveBeenCalledWith(1234);
      process.emit(sig, sig);
      expect(f.close).toHaveBeenCalledTimes(1);
      expect(exit.mock.calls).toEqual([[code]]);
      f.resolve();
      await flush();
      expect(exit.mock.calls).toEqual([[code], [0]]);
    },
  );

  it('a failed close is reported and exits 1', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const f = fakeQueue();
    const onError = vi.fn();
    remove = installSignalHandlers(f.queue, { onError });
    process.emit('SIGTERM', 'SIGTERM');
    expect(f.close).toHaveBeenCalledWith(undefined);
    const boom = new Error('redis gone');
    f.reject(boom);
    await flush();
    expect(onError).toHaveBeenCalledWith(boom);
    expect(exit.mock.calls).toEqual([[1]]);
  });

  it('with exit: false it only closes, whatever happens', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const ok = fakeQueue();
    remove = installSignalHandlers(ok.queue, { exit: false });
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGINT', 'SIGINT');
    ok.resolve();
    await flush();
    remove();
    const bad = fakeQueue();
    remove = installSignalHandlers(bad.queue, { exit: false });
    process.emit('SIGTERM', 'SIGTERM');
    bad.reject(new Error('x'));
    await flush();
    expect(ok.close).toHaveBeenCalledTimes(1);
    expect(bad.close).toHaveBeenCalledTimes(1);
    expect(exit).not.toHaveBeenCalled();
  });

  it('the returned function removes both handlers', () => {
    const before = [process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')];
    const f = fakeQueue();
    const off = installSignalHandlers(f.queue, { exit: false });
    expect([process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')]).toEqual([
      before[0]! + 1,
      before[1]! + 1,
    ]);
    off();
    expect([process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')]).toEqual(before);
  });
});
