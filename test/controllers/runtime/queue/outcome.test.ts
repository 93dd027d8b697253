import { describe, expect, it } from 'vitest';
import { classify, type Settled } from '../../../../controllers/runtime/queue/outcome.js';
import { skError } from '../../../../reconciler/errors.js';

const terminal = skError('COMPOSE_INVALID', 'bad');
const waiting = skError('DEPENDENCY_NOT_READY', 'db', { requeueAfterMs: 3000 });
const waitingNoDelay = skError('DEPENDENCY_NOT_READY', 'db');
const waitingRetry = skError('HOOK_RUNNING', 'hook', { requeueAfterMs: 2000, keepsBackoff: true });
const transient = skError('DOCKER_API', 'down');
const plain = new Error('boom');
const waitingNegative = skError('DEPENDENCY_NOT_READY', 'db', { requeueAfterMs: -1 });
// Another library's error that happens to carry a `policy` field: only swarmkeeper's errors say how to retry.
const foreignTerminal = Object.assign(new Error('library'), { policy: 'terminal' });
const foreignWaiting = Object.assign(new Error('library'), { policy: 'waiting', requeueAfterMs: 10 });

describe('classify', () => {
  it.each<[string, Settled, boolean, ReturnType<typeof classify>]>([
    ['success', { ok: true, value: undefined }, false, { kind: 'success' }],
    ['success {}', { ok: true, value: {} }, false, { kind: 'success' }],
    [
      'requeueAfter',
      { ok: true, value: { requeueAfterMs: 500 } },
      false,
      { kind: 'requeue', requeueAfterMs: 500 },
    ],
    [
      'requeueAfter 0',
      { ok: true, value: { requeueAfterMs: 0 } },
      false,
      { kind: 'requeue', requeueAfterMs: 0 },
    ],
    ['requeueAfter NaN', { ok: true, value: { requeueAfterMs: Number.NaN } }, false, { kind: 'success' }],
    ['requeueAfter <0', { ok: true, value: { requeueAfterMs: -1 } }, false, { kind: 'success' }],
    [
      'requeueAfter Infinity',
      { ok: true, value: { requeueAfterMs: Number.POSITIVE_INFINITY } },
      false,
      { kind: 'success' },
    ],
    [
      'requeueAfter as text',
      { ok: true, value: { requeueAfterMs: '500' as unknown as number } },
      false,
      { kind: 'success' },
    ],
    [
      'waiting with a negative delay',
      { ok: false, error: waitingNegative },
      false,
      { kind: 'transient', error: waitingNegative },
    ],
    [
      'a foreign error that says policy terminal',
      { ok: false, error: foreignTerminal },
      false,
      { kind: 'transient', error: foreignTerminal },
    ],
    [
      'a foreign error that says policy waiting',
      { ok: false, error: foreignWaiting },
      false,
      { kind: 'transient', error: foreignWaiting },
    ],
    ['terminal', { ok: false, error: terminal }, false, { kind: 'terminal', error: terminal }],
    [
      'waiting',
      { ok: false, error: waiting },
      false,
      { kind: 'waiting', requeueAfterMs: 3000, error: waiting },
    ],
    [
      'waiting that keeps the backoff',
      { ok: false, error: waitingRetry },
      false,
      { kind: 'waiting', requeueAfterMs: 2000, error: waitingRetry, keepsBackoff: true },
    ],
    [
      'waiting w/o delay',
      { ok: false, error: waitingNoDelay },
      false,
      { kind: 'transient', error: waitingNoDelay },
    ],
    ['transient', { ok: false, error: transient }, false, { kind: 'transient', error: transient }],
    ['unknown error', { ok: false, error: plain }, false, { kind: 'transient', error: plain }],
    ['thrown string', { ok: false, error: 'x' }, false, { kind: 'transient', error: 'x' }],
    ['aborted success', { ok: true, value: undefined }, true, { kind: 'aborted' }],
    ['aborted terminal', { ok: false, error: terminal }, true, { kind: 'aborted', error: terminal }],
  ])('%s', (_name, settled, aborted, expected) => {
    expect(classify(settled, aborted)).toEqual(expected);
  });
});
