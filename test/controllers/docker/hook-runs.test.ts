import { describe, expect, it } from 'vitest';
import {
  clean,
  demux,
  HOOK_LOG_LINE_CHARS,
  HOOK_LOG_LINES,
  type HookTask,
  lastLines,
  runOf,
} from '../../../controllers/docker/hook-runs.js';

const task = (state: string, exitCode?: number, at = '2026-01-01T00:00:00Z', err?: string): HookTask => ({
  Status: {
    State: state,
    Timestamp: at,
    ...(err ? { Err: err } : {}),
    ...(exitCode === undefined ? {} : { ContainerStatus: { ExitCode: exitCode } }),
  },
});

describe('runOf: a hook run from the tasks of its job iteration', () => {
  it.each<[string, HookTask[], number, string]>([
    ['no task yet', [], 1, 'running'],
    ['a pending task', [task('pending')], 1, 'running'],
    ['a running task', [task('running')], 1, 'running'],
    ['a completed task', [task('complete', 0)], 1, 'complete'],
    ['one of two completions', [task('complete', 0), task('running')], 2, 'running'],
    ['a failed task', [task('failed', 3)], 1, 'failed'],
    ['a rejected task', [task('rejected')], 1, 'failed'],
    [
      'a failure replaced by a running task (restart policy)',
      [task('failed', 3), task('starting')],
      1,
      'running',
    ],
    ['a failure then a completion', [task('failed', 3), task('complete', 0)], 1, 'complete'],
  ])('%s: %s', (_, tasks, total, state) => {
    expect(runOf('r1', total, tasks)).toMatchObject({ revision: 'r1', state });
  });

  it('a failure carries the newest failed task exit code and error, cleaned', () => {
    const run = runOf('r1', 1, [
      task('failed', 1, '2026-01-01T00:00:00Z', 'old'),
      task('failed', 3, '2026-01-01T00:01:00Z', 'task: non-zero exit (3)\x1b[0m'),
    ]);
    expect(run).toEqual({ revision: 'r1', state: 'failed', exitCode: 3, message: 'task: non-zero exit (3)' });
  });
});

describe('hook log lines', () => {
  it('a multiplexed body is demultiplexed; a raw body is kept', () => {
    const frame = (stream: number, text: string) => {
      const payload = Buffer.from(text);
      const head = Buffer.alloc(8);
      head[0] = stream;
      head.writeUInt32BE(payload.length, 4);
      return Buffer.concat([head, payload]);
    };
    expect(demux(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]))).toBe('out\nerr\n');
    expect(demux(Buffer.from('plain text\n'))).toBe('plain text\n');
  });

  it('keeps the last lines, without control characters and ANSI escapes, bounded', () => {
    const text = Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n');
    expect(lastLines(text)).toEqual(Array.from({ length: HOOK_LOG_LINES }, (_, i) => `line ${i + 20}`));
    expect(lastLines('\x1b[31mred\x1b[0m\tx\x07\r\n\n  \n')).toEqual(['redx']);
    expect(clean('y'.repeat(1000))).toHaveLength(HOOK_LOG_LINE_CHARS + 1);
  });
});
