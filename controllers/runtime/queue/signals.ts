import type { WorkQueue } from './work-queue.js';

export interface SignalHandlerOptions {
  /** Passed to WorkQueue.close (default 30 s). */
  readonly deadlineMs?: number;
  /** Exit the process once closed (default true). A second signal exits at once. */
  readonly exit?: boolean;
  readonly onError?: (err: unknown) => void;
}

/** Closes the queue gracefully on SIGTERM/SIGINT. Returns a function that removes the handlers. */
export function installSignalHandlers(queue: WorkQueue, opts: SignalHandlerOptions = {}): () => void {
  const exit = opts.exit ?? true;
  let closing = false;
  const handler = (signal: NodeJS.Signals): void => {
    const code = signal === 'SIGINT' ? 130 : 143;
    if (closing) {
      if (exit) process.exit(code);
      return;
    }
    closing = true;
    queue
      .close(opts.deadlineMs)
      .then(() => {
        if (exit) process.exit(0);
      })
      .catch((err: unknown) => {
        opts.onError?.(err);
        if (exit) process.exit(1);
      });
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}
