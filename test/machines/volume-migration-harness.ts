// Pure driving of the volume migration machine (machine-driver.ts), its test inputs, and the
// persist/restore of a crash.
import type { SnapshotFrom } from 'xstate';
import { volumeMigrationMachine } from '../../machines/volume-migration.machine.js';
import { migrationPolicy } from '../../machines/volume-migration.setup.js';
import type { ConsumerRecord, VolumeMigrationInput } from '../../machines/volume-migration.types.js';
import { drive as driveMachine, type Run as MachineRun, type Step as MachineStep } from './machine-driver.js';

export { after, done, fail, failures } from './machine-driver.js';

export type Snap = SnapshotFrom<typeof volumeMigrationMachine>;
export type Step = MachineStep<Snap>;

export const WEB: ConsumerRecord = {
  service: 'web',
  id: 'svc1',
  replicas: 2,
  mounts: [{ Type: 'volume', Source: 'data', Target: '/data' }],
  constraints: ['node.hostname==n1'],
};

export function input(over: Partial<VolumeMigrationInput> = {}): VolumeMigrationInput {
  return {
    mode: 'migrate',
    key: 'SwarmVolumeMigration/default/move-data',
    source: { volume: 'data', node: { node: 'n1', hostname: 'n1', id: 'ID1' } },
    target: {
      volume: 'data2',
      node: { node: 'n2', hostname: 'n2', id: 'ID2' },
      create: {
        driver: 'swlvol',
        labels: { 'swarmkeeper.io/owner': 'SwarmVolumeMigration/default/move-data' },
      },
      origin: 'spec.target.spec',
    },
    deleteSource: false,
    policy: migrationPolicy({ maxAttempts: 3 }),
    ...over,
  };
}

export type Run = MachineRun<Snap>;

export const drive = (inp: VolumeMigrationInput, steps: Step[], from?: Snap): Run =>
  driveMachine(volumeMigrationMachine, inp, steps, from);

/** What a crash leaves: the persisted snapshot (JSON, as in Redis), restored into a fresh snapshot. */
export function persistAndRestore(s: Snap): Snap {
  const persisted = JSON.parse(JSON.stringify(volumeMigrationMachine.getPersistedSnapshot(s))) as {
    value: Snap['value'];
    context: Snap['context'];
  };
  return volumeMigrationMachine.resolveState({ value: persisted.value, context: persisted.context });
}

export const TARGET_CREATED = { exists: true, created: true, driver: 'swlvol' };
export const AMOUNT = { bytes: 50 * 1024 ** 2, files: 500 };
