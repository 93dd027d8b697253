// What the volume migration machine hands each actor, what it keeps in its context for the status,
// what it outputs, and what an actor that was never provided says.
import { createActor, waitFor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { STEP_PHASE } from '../../machines/volume-migration.messages.js';
import { volumeMigrationActors } from '../../machines/volume-migration.setup.js';
import {
  AMOUNT,
  done,
  drive,
  fail,
  failures,
  input,
  TARGET_CREATED,
  WEB,
} from './volume-migration-harness.js';

const toSwitch = [
  done('discover', [WEB]),
  done('ensureTarget', TARGET_CREATED),
  done('scaleDown'),
  done('measure', AMOUNT),
  done('copy', AMOUNT),
  done('verify', AMOUNT),
];
const all = [...toSwitch, done('switch'), done('scaleUp')];

describe('volume migration machine: actor inputs', () => {
  const { source, target } = input();

  it('every forward step gets exactly what it needs', () => {
    const run = drive(input({ deleteSource: true }), [...all, done('removeSource')]);
    expect(run.inputs).toEqual([
      { src: 'discover', input: { source } },
      { src: 'ensureTarget', input: { target } },
      { src: 'scaleDown', input: { consumers: [WEB] } },
      { src: 'measure', input: { source } },
      { src: 'copy', input: { source, target, total: AMOUNT } },
      { src: 'verify', input: { source, target, total: AMOUNT } },
      { src: 'switch', input: { consumers: [WEB], source, target } },
      { src: 'scaleUp', input: { consumers: [WEB], wait: true } },
      { src: 'removeSource', input: { source, consumers: [WEB] } },
    ]);
  });

  it('a rollback after the switch restores the mounts, then the replicas without waiting', () => {
    const run = drive(input(), [
      ...toSwitch,
      fail('switch', 'x', false),
      done('restoreMounts'),
      done('restoreReplicas'),
    ]);
    expect(run.inputs.slice(-2)).toEqual([
      { src: 'restoreMounts', input: { consumers: [WEB], source, target } },
      { src: 'scaleUp', input: { consumers: [WEB], wait: false } },
    ]);
    expect(run.snapshot.output?.outcome).toBe('RolledBack');
  });
});

describe('volume migration machine: context and output', () => {
  it('keeps whether the target was created and its driver', () => {
    const run = drive(input(), [done('discover', [WEB]), done('ensureTarget', TARGET_CREATED)]);
    expect(run.snapshot.context).toMatchObject({ targetCreated: true, targetDriver: 'swlvol' });
    const existing = drive(input(), [
      done('discover', [WEB]),
      done('ensureTarget', { ...TARGET_CREATED, created: false, driver: 'local' }),
    ]);
    expect(existing.snapshot.context).toMatchObject({ targetCreated: false, targetDriver: 'local' });
  });

  it.each([
    [
      'waiting: no amounts',
      [done('discover', [WEB]), done('ensureTarget', { exists: false, created: false, driver: '' })],
      [],
    ],
    [
      'rolled back after measure: the total only',
      [...toSwitch.slice(0, 4), fail('copy', 'x', false), done('restoreReplicas')],
      ['total'],
    ],
    [
      'rolled back after copy: total and copied',
      [...toSwitch.slice(0, 5), fail('verify', 'x', false), done('restoreReplicas')],
      ['copied', 'total'],
    ],
    ['succeeded: all three', all, ['copied', 'total', 'verified']],
  ])('outputs only the amounts it has (%s)', (_what, steps, amounts) => {
    const out = drive(input(), steps).snapshot.output ?? {};
    expect(Object.keys(out).sort()).toEqual(['message', 'outcome', 'recorded', ...amounts].sort());
  });

  it('a cancel without recorded consumers or reason rolls back nothing, with a default reason', () => {
    const run = drive(input({ mode: 'cancel' }), []);
    expect(run.snapshot.output).toEqual({
      outcome: 'RolledBack',
      message: 'rolled back: the migration was cancelled; nothing to restore',
      recorded: [],
    });
    expect(run.invoked).toEqual([]);
  });

  it.each([
    ['a cancel', input({ mode: 'cancel', recorded: [] }), []],
    ['a migration', input(), all],
    [
      'a failed removal',
      input({ deleteSource: true }),
      [...all, ...failures(3, fail('removeSource', 'busy'))],
    ],
  ])('every snapshot of %s names a step the status knows', (_what, inp, steps) => {
    for (const s of drive(inp, steps).snapshots) expect(STEP_PHASE[s.context.step]).toBeDefined();
  });
});

describe('volume migration actors before .provide()', () => {
  it.each(Object.keys(volumeMigrationActors))('%s fails, naming itself', async (name) => {
    const logic = volumeMigrationActors[name as keyof typeof volumeMigrationActors];
    const actor = createActor(logic, { input: {} as never });
    actor.subscribe({ error: () => undefined });
    actor.start();
    await expect(waitFor(actor, (x) => x.status === 'done', { timeout: 5000 })).rejects.toHaveProperty(
      'message',
      `volume migration actor "${name}" is not provided; use machine.provide({ actors })`,
    );
  });
});
