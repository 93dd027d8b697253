import { describe, expect, it } from 'vitest';
import {
  after,
  AMOUNT,
  done,
  drive,
  fail,
  failures,
  input,
  persistAndRestore,
  WEB,
  type Step,
} from './volume-migration-harness.js';
import {
  toScaleDown,
  toCopy,
  toVerify,
  toSwitch,
  toScaleUp,
  all,
  restoreOk,
  SRC,
  DST,
  BACK,
  type Case,
} from './volume-migration-steps.js';

const cases: Case[] = [
  {
    name: 'switch fails: mounts restored, then replicas',
    steps: [...toSwitch, ...failures(3, fail('switch', 'update out of sequence')), ...restoreOk],
    outcome: 'RolledBack',
    message: `rolled back: switch web to ${DST} failed after 3 attempts: update out of sequence; ${BACK}`,
    visited: [
      'discover',
      'ensureTarget',
      'scaleDown',
      'measure',
      'copy',
      'verify',
      'switch',
      'rollingBack',
      'rolledBack',
    ],
  },
  {
    name: 'switch times out',
    steps: [...toSwitch, ...failures(3, after('stepTimeout')), ...restoreOk],
    outcome: 'RolledBack',
    message: /^rolled back: switch web .* timed out after 60000 ms; /,
  },
  {
    name: 'scale-up on the target fails: mounts and replicas back on the source',
    steps: [...toScaleUp, ...failures(3, fail('scaleUp', 'no suitable node')), ...restoreOk],
    outcome: 'RolledBack',
    message: `rolled back: scale web back up on ${DST} failed after 3 attempts: no suitable node; ${BACK}`,
  },
  {
    name: 'tasks do not run on the target in time',
    steps: [...toScaleUp, ...failures(3, after('stepTimeout')), ...restoreOk],
    outcome: 'RolledBack',
    message: /^rolled back: scale web back up on .* timed out after 300000 ms; /,
  },
  {
    name: 'rollback of replicas fails',
    steps: [
      ...toVerify,
      fail('verify', 'differs', false),
      ...failures(3, fail('restoreReplicas', 'manager down')),
    ],
    outcome: 'Failed',
    message:
      `verify the copy in ${DST} failed after 1 attempt: differs; rollback failed: ` +
      `scale web back up on ${SRC} failed after 3 attempts: manager down`,
  },
  {
    name: 'rollback of replicas times out',
    steps: [...toVerify, fail('verify', 'differs', false), ...failures(3, after('stepTimeout'))],
    outcome: 'Failed',
    message:
      /rollback failed: scale web back up on volume data on node n1 failed after 3 attempts: timed out after 120000 ms$/,
  },
  {
    name: 'rollback of mounts fails',
    steps: [
      ...toScaleUp,
      fail('scaleUp', 'no suitable node', false),
      ...failures(3, fail('restoreMounts', 'manager down')),
    ],
    outcome: 'Failed',
    message:
      /; rollback failed: restore the mounts of web to volume data on node n1 failed after 3 attempts: manager down$/,
  },
  {
    name: 'rollback of mounts times out',
    steps: [...toScaleUp, fail('scaleUp', 'x', false), ...failures(3, after('stepTimeout'))],
    outcome: 'Failed',
    message: /rollback failed: restore the mounts .* timed out after 60000 ms$/,
  },
  {
    name: 'cancel before the switch: replicas only',
    input: {
      mode: 'cancel',
      recorded: [WEB],
      switchStarted: false,
      cancelReason: 'the migration was deleted while Copying',
    },
    steps: [done('restoreReplicas')],
    outcome: 'RolledBack',
    message: `rolled back: the migration was deleted while Copying; ${BACK}`,
    invoked: ['scaleUp'],
  },
  {
    name: 'cancel after the switch started: mounts, then replicas',
    input: { mode: 'cancel', recorded: [WEB], switchStarted: true, cancelReason: 'deleted while Switching' },
    steps: restoreOk,
    outcome: 'RolledBack',
    message: /^rolled back: deleted while Switching; /,
    invoked: ['restoreMounts', 'scaleUp'],
  },
  {
    name: 'cancel with nothing recorded: nothing to do',
    input: { mode: 'cancel', recorded: [], cancelReason: 'deleted while Discovering' },
    steps: [],
    outcome: 'RolledBack',
    message: 'rolled back: deleted while Discovering; nothing to restore',
    invoked: [],
  },
];

describe('volume migration machine (pure transitions)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const run = drive(input(c.input), c.steps);
    expect(run.snapshot.status).toBe('done');
    expect(run.snapshot.output?.outcome).toBe(c.outcome);
    if (typeof c.message === 'string') expect(run.snapshot.output?.message).toBe(c.message);
    else expect(run.snapshot.output?.message).toMatch(c.message);
    if (c.visited) expect(run.visited).toEqual(c.visited);
    if (c.invoked) expect(run.invoked).toEqual(c.invoked);
  });

  it('records the consumers before anything is scaled, and hands them to every step that needs them', () => {
    const run = drive(input(), toScaleDown);
    expect(run.snapshot.context.recorded).toEqual([WEB]);
    const child = run.snapshot.children['scaleDown'] as unknown as { options?: { input?: unknown } };
    expect(child.options?.input).toEqual({ consumers: [WEB] });
  });

  it('passes the explicit consumers to discover', () => {
    const run = drive(input({ consumers: ['web'] }), []);
    const child = run.snapshot.children['discover'] as unknown as { options?: { input?: unknown } };
    expect(child.options?.input).toEqual({ source: input().source, consumers: ['web'] });
  });

  it('rollback restores the recorded replicas without waiting; the forward scale-up waits', () => {
    const forward = drive(input(), toScaleUp);
    const up = forward.snapshot.children['scaleUp'] as unknown as { options?: { input?: unknown } };
    expect(up.options?.input).toEqual({ consumers: [WEB], wait: true });
    const back = drive(input(), [...toVerify, fail('verify', 'x', false)]);
    const restore = back.snapshot.children['restoreReplicas'] as unknown as { options?: { input?: unknown } };
    expect(restore.options?.input).toEqual({ consumers: [WEB], wait: false });
  });

  it('marks the switch as started on entry and completion after the scale-up', () => {
    expect(drive(input(), toVerify).snapshot.context.switchStarted).toBe(false);
    expect(drive(input(), toSwitch).snapshot.context.switchStarted).toBe(true);
    expect(drive(input(), toScaleUp).snapshot.context.completed).toBe(false);
    const end = drive(input({ deleteSource: true }), all);
    expect(end.snapshot.context.completed).toBe(true);
  });

  it('outputs the recorded consumers and the amounts', () => {
    const run = drive(input(), all);
    expect(run.snapshot.output).toMatchObject({
      recorded: [WEB],
      total: AMOUNT,
      copied: AMOUNT,
      verified: AMOUNT,
    });
  });
});

describe('volume migration machine: resume after a crash', () => {
  it.each([
    ['discover', [] as Step[], 'discover'],
    ['scaleDown', toScaleDown, 'scaleDown'],
    ['copy', toCopy, 'copy'],
    ['verify', toVerify, 'verify'],
    ['switch', toSwitch, 'switch'],
    ['scaleUp', toScaleUp, 'scaleUp'],
  ])('a snapshot taken in %s resumes there with fresh attempts', (step, steps, src) => {
    const mid = drive(input(), [...steps, fail(step, 'boom')]);
    expect(mid.snapshot.context.attempt).toBe(1);
    const resumed = drive(input(), [{ type: 'RESUME' }], persistAndRestore(mid.snapshot));
    expect(Object.keys(resumed.snapshot.value as object)[0]).toBe(step);
    expect(resumed.snapshot.context.attempt).toBe(1);
    expect(resumed.invoked).toEqual([src]);
  });

  it('after verify, a resume goes straight to switch and never copies again', () => {
    const verified = drive(input(), toSwitch).snapshot;
    const resumed = drive(
      input(),
      [{ type: 'RESUME' }, done('switch'), done('scaleUp')],
      persistAndRestore(verified),
    );
    expect(resumed.invoked).toEqual(['switch', 'scaleUp']);
    expect(resumed.snapshot.output).toMatchObject({ outcome: 'Succeeded', verified: AMOUNT });
  });

  it('a copy interrupted mid-way starts over and is verified again', () => {
    const copying = drive(input(), toCopy).snapshot;
    const resumed = drive(
      input(),
      [{ type: 'RESUME' }, done('copy', AMOUNT), done('verify', AMOUNT), done('switch'), done('scaleUp')],
      persistAndRestore(copying),
    );
    expect(resumed.invoked).toEqual(['copy', 'verify', 'switch', 'scaleUp']);
    expect(resumed.snapshot.output?.outcome).toBe('Succeeded');
  });

  it('the consumers recorded before the crash are what a resumed rollback restores', () => {
    const scaling = drive(input(), [...toScaleDown]).snapshot;
    const resumed = drive(
      input(),
      [{ type: 'RESUME' }, ...failures(3, fail('scaleDown', 'x')), done('restoreReplicas')],
      persistAndRestore(scaling),
    );
    expect(resumed.snapshot.output).toMatchObject({ outcome: 'RolledBack', recorded: [WEB] });
  });

  it('a rollback interrupted by a crash resumes the rollback', () => {
    const rolling = drive(input(), [...toScaleUp, fail('scaleUp', 'x', false)]).snapshot;
    expect(rolling.value).toEqual({ rollingBack: { restoreMounts: 'run' } });
    const resumed = drive(input(), [{ type: 'RESUME' }, ...restoreOk], persistAndRestore(rolling));
    expect(resumed.invoked).toEqual(['restoreMounts', 'scaleUp']);
    expect(resumed.snapshot.output?.outcome).toBe('RolledBack');
  });
});
