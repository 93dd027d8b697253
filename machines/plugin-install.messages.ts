/** Human-readable results of the plugin install machine (status messages). Pure. */
import { privilegeRefusal } from './plugin-privileges.js';
import type { PluginInstallContext, StepName } from './plugin-install.types.js';

export const STEP_LABEL: Record<StepName, string> = {
  inspect: 'inspect plugin',
  privileges: 'read privileges of plugin',
  pull: 'pull plugin',
  disable: 'disable plugin',
  upgrade: 'upgrade plugin',
  configure: 'set settings of plugin',
  enable: 'enable plugin',
  verify: 'verify plugin',
  rollbackDisable: 'disable plugin for rollback',
  rollbackUpgrade: 'roll back plugin',
  rollbackEnable: 'enable plugin after rollback',
};

/** `pull plugin swlvol (lab/swlvol:1) on node n2 failed after 3 attempts: <why>` */
export function stepFailureMessage(c: PluginInstallContext): string {
  const ref = c.step === 'rollbackUpgrade' ? c.previousRemote : c.remote;
  const attempts = c.attempt === 1 ? '1 attempt' : `${c.attempt} attempts`;
  const why = c.lastFailure?.message ?? 'unknown error';
  return `${STEP_LABEL[c.step]} ${c.name} (${ref}) on node ${c.node} failed after ${attempts}: ${why}`;
}

export function installedMessage(c: PluginInstallContext): string {
  const what = c.enabled ? 'enabled' : 'installed, disabled';
  return `${c.name} (${c.remote}) ${what} on node ${c.node}${c.mode === 'adopt' ? ' (already installed)' : ''}`;
}

export function refusedMessage(c: PluginInstallContext): string {
  const refusal = privilegeRefusal(c.remote, c.privileges ?? [], c.allowedPrivileges);
  return `${refusal ?? `plugin ${c.remote} refused`} (node ${c.node})`;
}

export function failedMessage(c: PluginInstallContext): string {
  if (c.upgradeFailure === undefined) return stepFailureMessage(c);
  return `${c.upgradeFailure}; rollback to ${c.previousRemote} failed: ${stepFailureMessage(c)}`;
}

export function rolledBackMessage(c: PluginInstallContext): string {
  return `rolled back to ${c.previousRemote} on node ${c.node}: ${c.upgradeFailure ?? 'upgrade failed'}`;
}
