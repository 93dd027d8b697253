// Pure driving of the plugin install machine (machine-driver.ts) and its test inputs.
import type { SnapshotFrom } from 'xstate';
import { pluginInstallMachine } from '../../machines/plugin-install.machine.js';
import type { PluginInstallInput } from '../../machines/plugin-install.types.js';
import { withPolicy } from '../../machines/step-policy.js';
import { drive as driveMachine, type Run as MachineRun, type Step as MachineStep } from './machine-driver.js';

export { after, done, fail, failures } from './machine-driver.js';

export type Snap = SnapshotFrom<typeof pluginInstallMachine>;
export type Step = MachineStep<Snap>;

export const REF1 = 'reg:5000/lab/swlvol:1';
export const REF2 = 'reg:5000/lab/swlvol:2';
export const NETWORK_NONE = [
  { Name: 'network', Description: 'permissions to access a network', Value: ['none'] },
];
export const VOLUME = { types: ['docker.volumedriver/1.0'] };

export function input(over: Partial<PluginInstallInput> = {}): PluginInstallInput {
  return {
    node: 'n2',
    name: 'swlvol',
    remote: REF1,
    allowedPrivileges: [{ name: 'network', value: ['none'] }],
    enabled: true,
    policy: withPolicy({ maxAttempts: 3 }),
    ...over,
  };
}

export type Run = MachineRun<Snap>;

export const drive = (inp: PluginInstallInput, steps: Step[], from?: Snap): Run =>
  driveMachine(pluginInstallMachine, inp, steps, from);
