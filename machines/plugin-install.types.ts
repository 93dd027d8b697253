/** Types of the per-node plugin install machine (input, context, actor contracts, output). */
import type { PluginPrivilege } from '../reconciler/api/swarm-plugin.js';
import type { EnginePluginPrivilege } from './plugin-privileges.js';
import type { ObservedPluginSettings, PluginSettings } from './plugin-settings.js';
import type { StepFailure, StepPolicy } from './step-policy.js';

export interface PluginInstallInput {
  /** Swarm node hostname (messages) */
  node: string;
  /** Local plugin name on the node (spec.alias, else spec.remote). */
  name: string;
  remote: string;
  allowedPrivileges?: PluginPrivilege[];
  settings?: PluginSettings;
  enabled: boolean;
  policy: StepPolicy;
}

/** What `inspect` reports about the plugin installed under `name` on the node. */
export interface ObservedPlugin {
  /** PluginReference. */
  remote: string;
  enabled: boolean;
  /** Config.Interface.Types, e.g. docker.volumedriver/1.0. */
  types: string[];
  settings?: ObservedPluginSettings;
}

export type InstallMode = 'install' | 'upgrade' | 'reconfigure' | 'adopt';

export type StepName =
  | 'inspect'
  | 'privileges'
  | 'pull'
  | 'disable'
  | 'upgrade'
  | 'configure'
  | 'enable'
  | 'verify'
  | 'rollbackDisable'
  | 'rollbackUpgrade'
  | 'rollbackEnable';

export type InstallOutcome = 'Installed' | 'Refused' | 'Failed' | 'RolledBack';

export interface PluginInstallContext extends PluginInstallInput {
  mode: InstallMode;
  observed: ObservedPlugin | null;
  /** The reference installed before an upgrade (rollback target). */
  previousRemote?: string;
  /** Exactly what GET /plugins/privileges returned for `remote`. */
  privileges?: EnginePluginPrivilege[];
  types: string[];
  step: StepName;
  attempt: number;
  lastFailure?: StepFailure;
  verifyChecks: number;
  /** Why the upgrade failed (kept while rolling back). */
  upgradeFailure?: string;
  outcome?: InstallOutcome;
  message?: string;
}

export interface PluginInstallOutput {
  outcome: InstallOutcome;
  message: string;
  /** The reference installed when the machine finished (the previous one after a rollback). */
  remote: string;
}

export interface NamedInput {
  name: string;
}
export interface PullInput {
  name: string;
  remote: string;
  privileges: EnginePluginPrivilege[];
}
export interface UpgradeInput {
  name: string;
  remote: string;
  /** Undefined on rollback: the implementation asks the Engine for the reference's privileges. */
  privileges?: EnginePluginPrivilege[];
}
export interface ConfigureInput {
  name: string;
  settings?: PluginSettings;
}
/** pull/upgrade report the plugin's interface types. */
export interface InstalledPlugin {
  types: string[];
}

export const VERIFY_TYPES = /docker\.(volumedriver|networkdriver)\//;
