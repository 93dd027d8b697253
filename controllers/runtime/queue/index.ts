export { WorkQueue } from './work-queue.js';
export { installSignalHandlers, type SignalHandlerOptions } from './signals.js';
export { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
export { classify, type Classified, type Settled } from './outcome.js';
export type * from './types.js';
