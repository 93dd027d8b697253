import { describe, expect, it } from 'vitest';
import {
  after,
  AMOUNT,
  done,
  drive,
  fail,
  failures,
  input,
  TARGET_CREATED,
  WEB,
} from './volume-migration-harness.js';
import { toScaleDown, toCopy, toVerify, all, SRC, DST, BACK, type Case } from './volume-migration-steps.js';

const cases: Case[] = [
  {
    name: 'the whole migration',
    steps: all,
    outcome: 'Succeeded',
    message: `copied and verified 50 MiB in 500 files from ${SRC} to ${DST}; 1 consumer switched (web)`,
    visited: [
      'discover',
      'ensureTarget',
      'scaleDown',
      'measure',
      'copy',
      'verify',
      'switch',
      'scaleUp',
      'succeeded',
    ],
    invoked: ['discover', 'ensureTarget', 'scaleDown', 'measure', 'copy', 'verify', 'switch', 'scaleUp'],
  },
  {
    name: 'deleteSource: the source is removed only once the consumers run on the target',
    input: { deleteSource: true },
    steps: [...all, done('removeSource')],
    outcome: 'Succeeded',
    message: /; source volume removed$/,
    visited: [
      'discover',
      'ensureTarget',
      'scaleDown',
      'measure',
      'copy',
      'verify',
      'switch',
      'scaleUp',
      'removeSource',
      'succeeded',
    ],
  },
  {
    name: 'deleteSource: a source that cannot be removed is noted, the migration still succeeded',
    input: { deleteSource: true },
    steps: [...all, ...failures(3, fail('removeSource', 'volume data on node n1 is in use by other'))],
    outcome: 'Succeeded',
    message: /; the source volume was NOT removed: volume data on node n1 is in use by other$/,
  },
  {
    name: 'no consumers',
    steps: [
      done('discover', []),
      done('ensureTarget', TARGET_CREATED),
      done('scaleDown'),
      done('measure', AMOUNT),
      done('copy', AMOUNT),
      done('verify', AMOUNT),
      done('switch'),
      done('scaleUp'),
    ],
    outcome: 'Succeeded',
    message: /; no consumers$/,
  },
  {
    name: 'volumeRef target missing: waits, nothing scaled',
    input: {
      target: { ...input().target, create: undefined, origin: 'spec.target.volumeRef default/data2' },
    },
    steps: [done('discover', [WEB]), done('ensureTarget', { exists: false, created: false, driver: '' })],
    outcome: 'Waiting',
    message: `target volume data2 does not exist on node n2 yet (spec.target.volumeRef default/data2); nothing was changed`,
    invoked: ['discover', 'ensureTarget'],
  },
  {
    name: 'source volume missing (not retryable): failed, nothing changed',
    steps: [fail('discover', 'source volume data does not exist on node n1', false)],
    outcome: 'Failed',
    message: `find the consumers of ${SRC} failed after 1 attempt: source volume data does not exist on node n1`,
    invoked: ['discover'],
  },
  {
    name: 'discover times out on every attempt',
    steps: failures(3, after('stepTimeout')),
    outcome: 'Failed',
    message: `find the consumers of ${SRC} failed after 3 attempts: timed out after 60000 ms`,
  },
  {
    name: 'target owned by someone else: failed before any scale-down',
    steps: [done('discover', [WEB]), fail('ensureTarget', 'volume data2 already exists', false)],
    outcome: 'Failed',
    message: `prepare target ${DST} (spec.target.spec) failed after 1 attempt: volume data2 already exists`,
    invoked: ['discover', 'ensureTarget'],
  },
  {
    name: 'ensureTarget times out',
    steps: [done('discover', [WEB]), ...failures(3, after('stepTimeout'))],
    outcome: 'Failed',
    message: /^prepare target .* failed after 3 attempts: timed out after 60000 ms$/,
  },
  {
    name: 'scale-down fails: replicas restored on the source',
    steps: [...toScaleDown, ...failures(3, fail('scaleDown', 'rpc error')), done('restoreReplicas')],
    outcome: 'RolledBack',
    message: `rolled back: scale down web failed after 3 attempts: rpc error; ${BACK}`,
    visited: ['discover', 'ensureTarget', 'scaleDown', 'rollingBack', 'rolledBack'],
    invoked: ['discover', 'ensureTarget', 'scaleDown', 'scaleDown', 'scaleDown', 'scaleUp'],
  },
  {
    name: 'tasks do not stop in time',
    steps: [...toScaleDown, ...failures(3, after('stepTimeout')), done('restoreReplicas')],
    outcome: 'RolledBack',
    message: `rolled back: scale down web failed after 3 attempts: timed out after 180000 ms; ${BACK}`,
  },
  {
    name: 'measure fails',
    steps: [
      ...toScaleDown,
      done('scaleDown'),
      fail('measure', 'volume data does not exist on node n1', false),
      done('restoreReplicas'),
    ],
    outcome: 'RolledBack',
    message: /^rolled back: measure volume data on node n1 failed after 1 attempt: /,
  },
  {
    name: 'measure times out',
    steps: [...toScaleDown, done('scaleDown'), ...failures(3, after('stepTimeout')), done('restoreReplicas')],
    outcome: 'RolledBack',
    message: /^rolled back: measure .* failed after 3 attempts: timed out after 3600000 ms; /,
  },
  {
    name: 'copy fails once, then succeeds after a backoff',
    steps: [
      ...toCopy,
      fail('copy', 'connection reset'),
      after('backoff'),
      done('copy', AMOUNT),
      done('verify', AMOUNT),
      done('switch'),
      done('scaleUp'),
    ],
    outcome: 'Succeeded',
    message: /^copied and verified/,
  },
  {
    name: 'copy fails on every attempt',
    steps: [...toCopy, ...failures(3, fail('copy', 'read: connection reset')), done('restoreReplicas')],
    outcome: 'RolledBack',
    message: `rolled back: copy ${SRC} to ${DST} failed after 3 attempts: read: connection reset; ${BACK}`,
  },
  {
    name: 'copy times out on every attempt',
    steps: [...toCopy, ...failures(3, after('stepTimeout')), done('restoreReplicas')],
    outcome: 'RolledBack',
    message: /^rolled back: copy .* failed after 3 attempts: timed out after 21600000 ms; /,
  },
  {
    name: 'verify finds a difference (not retryable): rolled back, mounts untouched',
    steps: [
      ...toVerify,
      fail('verify', 'differs: 1 difference: a: sha256 differs', false),
      done('restoreReplicas'),
    ],
    outcome: 'RolledBack',
    message: `rolled back: verify the copy in ${DST} failed after 1 attempt: differs: 1 difference: a: sha256 differs; ${BACK}`,
    invoked: ['discover', 'ensureTarget', 'scaleDown', 'measure', 'copy', 'verify', 'scaleUp'],
  },
  {
    name: 'verify times out',
    steps: [...toVerify, ...failures(3, after('stepTimeout')), done('restoreReplicas')],
    outcome: 'RolledBack',
    message: /^rolled back: verify the copy .* timed out after 21600000 ms; /,
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
});
