/**
 * setup() of the per-node plugin install machine: actor placeholders (real ones are supplied with
 * `.provide({ actors })`, see controllers/plugin/plugin-actors.ts), guards, actions and delays.
 */
import { assign, fromPromise, setup } from 'xstate';
import {
  failedMessage,
  installedMessage,
  refusedMessage,
  rolledBackMessage,
  stepFailureMessage,
} from './plugin-install.messages.js';
import { privilegeRefusal, type EnginePluginPrivilege } from './plugin-privileges.js';
import { hasSettings, settingsDrift } from './plugin-settings.js';
import { retryAssigners, retryDelays, retryGuards } from './step-state.js';
import {
  VERIFY_TYPES,
  type ConfigureInput,
  type InstalledPlugin,
  type NamedInput,
  type ObservedPlugin,
  type PluginInstallContext,
  type PluginInstallInput,
  type PluginInstallOutput,
  type PullInput,
  type StepName,
  type UpgradeInput,
} from './plugin-install.types.js';

function notProvided(name: string): never {
  throw new Error(`plugin install actor "${name}" is not provided; use machine.provide({ actors })`);
}

/** The actors the machine invokes; `.provide()` replaces every one of them. */
export const pluginInstallActors = {
  inspect: fromPromise<ObservedPlugin | null, NamedInput>(async () => notProvided('inspect')),
  privileges: fromPromise<EnginePluginPrivilege[], { remote: string }>(async () => notProvided('privileges')),
  pull: fromPromise<InstalledPlugin, PullInput>(async () => notProvided('pull')),
  disable: fromPromise<void, NamedInput>(async () => notProvided('disable')),
  upgrade: fromPromise<InstalledPlugin, UpgradeInput>(async () => notProvided('upgrade')),
  configure: fromPromise<void, ConfigureInput>(async () => notProvided('configure')),
  enable: fromPromise<void, NamedInput>(async () => notProvided('enable')),
  /** Whether the swarm manager lists the plugin in this node's description. */
  listed: fromPromise<boolean, NamedInput>(async () => notProvided('listed')),
};

export type PluginInstallActors = typeof pluginInstallActors;

const retry = retryAssigners<PluginInstallContext>();

export const pluginInstallSetup = setup({
  types: {
    input: {} as PluginInstallInput,
    context: {} as PluginInstallContext,
    events: {} as { type: 'RESUME' },
    output: {} as PluginInstallOutput,
  },
  actors: pluginInstallActors,
  guards: {
    notInstalled: ({ context }) => context.observed === null,
    otherReference: ({ context }) => context.observed !== null && context.observed.remote !== context.remote,
    upToDate: ({ context }) =>
      context.observed !== null &&
      context.observed.enabled === context.enabled &&
      settingsDrift(context.settings, context.observed.settings).length === 0,
    enabledButUnwanted: ({ context }) =>
      // Stryker disable next-line OptionalChaining: equivalent, checked in decide after notInstalled, and after a disable (observed set)
      context.observed?.enabled === true &&
      !context.enabled &&
      settingsDrift(context.settings, context.observed.settings).length === 0,
    // Stryker disable next-line OptionalChaining: equivalent, checked in decide after notInstalled, and in an upgrade's rollback (observed set)
    observedEnabled: ({ context }) => context.observed?.enabled === true,
    privilegesRefused: ({ context }) =>
      // Stryker disable next-line ArrayDeclaration: equivalent, privilegesRead follows the privileges step, which sets them
      privilegeRefusal(context.remote, context.privileges ?? [], context.allowedPrivileges) !== undefined,
    isUpgrade: ({ context }) => context.mode === 'upgrade',
    wantsEnabled: ({ context }) => context.enabled,
    hasSettings: ({ context }) => hasSettings(context.settings),
    needsListing: ({ context }) => context.types.some((t) => VERIFY_TYPES.test(t)),
    ...retryGuards,
    listed: (_, params: { listed: boolean }) => params.listed,
  },
  actions: {
    enterStep: assign((_, params: { step: StepName }) => ({
      step: params.step,
      attempt: 1,
      lastFailure: undefined,
      verifyChecks: 0,
    })),
    nextAttempt: assign(retry.nextAttempt),
    recordError: assign(retry.recordError),
    recordTimeout: assign(retry.recordTimeout),
    countCheck: assign(({ context }) => ({ verifyChecks: context.verifyChecks + 1 })),
    setObserved: assign((_, params: { observed: ObservedPlugin | null }) => ({
      observed: params.observed,
      // Stryker disable next-line ArrayDeclaration: equivalent, not installed: pull sets the types before verify reads them
      types: params.observed?.types ?? [],
    })),
    decideMode: assign(({ context }) => {
      const o = context.observed;
      // Stryker disable next-line ObjectLiteral: equivalent, the initial context's mode is install
      if (o === null) return { mode: 'install' as const };
      if (o.remote !== context.remote) return { mode: 'upgrade' as const, previousRemote: o.remote };
      // Stryker disable next-line ObjectLiteral: equivalent, no guard or message tells install from reconfigure
      return { mode: 'reconfigure' as const };
    }),
    adopt: assign({ mode: 'adopt' as const }),
    setPrivileges: assign((_, params: { privileges: EnginePluginPrivilege[] }) => ({
      privileges: params.privileges,
    })),
    setTypes: assign((_, params: { types: string[] }) => ({ types: params.types })),
    rememberUpgradeFailure: assign(({ context }) => ({ upgradeFailure: stepFailureMessage(context) })),
    verifyTimedOut: assign(({ context }) => ({
      attempt: context.verifyChecks,
      lastFailure: {
        message:
          `the swarm manager did not list the plugin in the node description within ${context.policy.verifyTimeoutMs} ms ` +
          `(${context.verifyChecks} checks)`,
        // Stryker disable next-line BooleanLiteral: equivalent, a verify timeout fails or rolls back at once (no retry reads it)
        retryable: false,
      },
    })),
    finishInstalled: assign(({ context }) => ({
      outcome: 'Installed' as const,
      message: installedMessage(context),
    })),
    finishRefused: assign(({ context }) => ({
      outcome: 'Refused' as const,
      message: refusedMessage(context),
    })),
    finishFailed: assign(({ context }) => ({ outcome: 'Failed' as const, message: failedMessage(context) })),
    finishRolledBack: assign(({ context }) => ({
      outcome: 'RolledBack' as const,
      message: rolledBackMessage(context),
    })),
  },
  delays: {
    ...retryDelays,
    verifyTimeout: ({ context }) => context.policy.verifyTimeoutMs,
    verifyInterval: ({ context }) => context.policy.verifyIntervalMs,
  },
});
