/**
 * Per-node plugin install/upgrade machine.
 *
 *   inspecting -> decide
 *     not installed           -> checkingPrivileges -> pulling -> configuring -> enabling -> verifying -> installed
 *     same ref, as desired    -> verifying (adopt: no re-pull) -> installed
 *     same ref, enabled, desired disabled -> disablingOnly -> installed
 *     same ref, settings/enabled differ   -> disabling -> configuring -> enabling -> verifying -> installed
 *     other ref (upgrade)     -> checkingPrivileges -> disabling -> upgrading -> configuring -> enabling
 *                                -> verifying -> installed; a failure after disabling -> rollingBack
 *                                (disable -> upgrade back -> enable) -> rolledBack, or failed
 *   checkingPrivileges: asks for anything not in allowedPrivileges -> refused (final, the difference listed)
 *
 * Every step: a timeout (`stepTimeout`) and bounded retries with exponential backoff (`backoff`), then
 * `failed` with a precise message. Every non-final state accepts RESUME (sent by the runner after a
 * snapshot is restored: timers are not persisted), which re-enters the current step.
 */
import type { PluginInstallOutput, StepName } from './plugin-install.types.js';
import { pluginInstallSetup as S } from './plugin-install.setup.js';
import { onError, recordErrorTo, retryingStep } from './step-state.js';

type StateConfig = Parameters<typeof S.createStateConfig>[0];

const ID = 'pluginInstall';
const FAILED = `#${ID}.failed`;
const ROLLING_BACK = `#${ID}.rollingBack`;

/** Failure of a step before anything changed, or of an upgrade step (then roll back). */
/** State id of a step (ids must not contain dots). */
export const stepId = (step: StepName): string => `step-${step}`;

const failOrRollBack = [
  { guard: 'isUpgrade', target: ROLLING_BACK, actions: 'rememberUpgradeFailure' },
  { target: FAILED },
] as const;

/**
 * A step that invokes one actor with a timeout and bounded retries:
 * run --(done)--> onDone; run --(error | stepTimeout)--> retry --(backoff)--> run; retry exhausted -> onFailure.
 */
function retrying(
  step: StepName,
  invoke: NonNullable<StateConfig['invoke']>,
  onFailure: StateConfig['always'] = FAILED,
): StateConfig {
  return S.createStateConfig(
    retryingStep(stepId(step), { type: 'enterStep', params: { step } }, invoke, onFailure),
  );
}

export const pluginInstallMachine = S.createMachine({
  id: ID,
  context: ({ input }) => ({
    ...input,
    // Stryker disable next-line StringLiteral: equivalent, decideMode sets the mode before a guard or message reads it
    mode: 'install',
    observed: null,
    // Stryker disable next-line ArrayDeclaration: equivalent, inspect's onDone (setObserved) sets types before they are read
    types: [],
    // Stryker disable next-line StringLiteral: equivalent, the initial state's entry (enterStep) sets the step
    step: 'inspect',
    attempt: 1,
    verifyChecks: 0,
  }),
  initial: 'inspect',
  states: {
    inspect: retrying('inspect', {
      id: 'inspect',
      src: 'inspect',
      input: ({ context }) => ({ name: context.name }),
      onDone: {
        target: `#${ID}.decide`,
        actions: { type: 'setObserved', params: ({ event }) => ({ observed: event.output }) },
      },
      onError: onError(),
    }),
    decide: {
      entry: 'decideMode',
      always: [
        { guard: 'notInstalled', target: 'privileges' },
        { guard: 'otherReference', target: 'privileges' },
        { guard: 'upToDate', target: 'adopted', actions: 'adopt' },
        { guard: 'enabledButUnwanted', target: 'disable' },
        { guard: 'observedEnabled', target: 'disable' },
        { target: 'configure' },
      ],
    },
    adopted: {
      always: [{ guard: 'wantsEnabled', target: 'verify' }, { target: 'installed' }],
    },
    privileges: retrying('privileges', {
      id: 'privileges',
      src: 'privileges',
      input: ({ context }) => ({ remote: context.remote }),
      onDone: {
        target: `#${ID}.privilegesRead`,
        actions: { type: 'setPrivileges', params: ({ event }) => ({ privileges: event.output }) },
      },
      onError: onError(),
    }),
    privilegesRead: {
      always: [
        { guard: 'privilegesRefused', target: 'refused' },
        { guard: 'isUpgrade', target: 'disable' },
        { target: 'pull' },
      ],
    },
    pull: retrying('pull', {
      id: 'pull',
      src: 'pull',
      input: ({ context }) => ({
        name: context.name,
        remote: context.remote,
        // Stryker disable next-line ArrayDeclaration: equivalent, pull follows privilegesRead, privileges are set
        privileges: context.privileges ?? [],
      }),
      onDone: {
        target: `#${ID}.configure`,
        actions: { type: 'setTypes', params: ({ event }) => ({ types: event.output.types }) },
      },
      onError: onError(),
    }),
    disable: retrying('disable', {
      id: 'disable',
      src: 'disable',
      input: ({ context }) => ({ name: context.name }),
      onDone: [
        { guard: 'isUpgrade', target: `#${ID}.upgrade` },
        { guard: 'enabledButUnwanted', target: `#${ID}.installed` },
        { target: `#${ID}.configure` },
      ],
      onError: onError(),
    }),
    upgrade: retrying(
      'upgrade',
      {
        id: 'upgrade',
        src: 'upgrade',
        input: ({ context }) => ({
          name: context.name,
          remote: context.remote,
          // Stryker disable next-line ArrayDeclaration: equivalent, upgrade follows privilegesRead, privileges are set
          privileges: context.privileges ?? [],
        }),
        onDone: {
          target: `#${ID}.configure`,
          actions: { type: 'setTypes', params: ({ event }) => ({ types: event.output.types }) },
        },
        onError: onError(),
      },
      failOrRollBack,
    ),
    configure: {
      always: [{ guard: 'hasSettings', target: 'configuring' }, { target: 'configured' }],
    },
    configuring: retrying(
      'configure',
      {
        id: 'configure',
        src: 'configure',
        input: ({ context }) => ({ name: context.name, settings: context.settings }),
        onDone: `#${ID}.configured`,
        onError: onError(),
      },
      failOrRollBack,
    ),
    configured: {
      always: [{ guard: 'wantsEnabled', target: 'enable' }, { target: 'installed' }],
    },
    enable: retrying(
      'enable',
      {
        id: 'enable',
        src: 'enable',
        input: ({ context }) => ({ name: context.name }),
        onDone: `#${ID}.verify`,
        onError: onError(),
      },
      failOrRollBack,
    ),
    verify: {
      entry: { type: 'enterStep', params: { step: 'verify' } },
      on: { RESUME: { target: 'verify', reenter: true } },
      initial: 'start',
      after: { verifyTimeout: { target: '.timedOut', actions: 'verifyTimedOut' } },
      states: {
        start: {
          always: [{ guard: 'needsListing', target: 'check' }, { target: `#${ID}.installed` }],
        },
        check: {
          entry: 'countCheck',
          invoke: {
            id: 'listed',
            src: 'listed',
            input: ({ context }) => ({ name: context.name }),
            onDone: [
              {
                guard: { type: 'listed', params: ({ event }) => ({ listed: event.output }) },
                target: `#${ID}.installed`,
              },
              { target: 'wait' },
            ],
            onError: recordErrorTo('wait'),
          },
        },
        wait: { after: { verifyInterval: 'check' } },
        timedOut: { always: failOrRollBack },
      },
    },
    rollingBack: {
      initial: 'rollbackDisable',
      states: {
        rollbackDisable: retrying('rollbackDisable', {
          id: 'rollbackDisable',
          src: 'disable',
          input: ({ context }) => ({ name: context.name }),
          onDone: `#${ID}.rollingBack.rollbackUpgrade`,
          onError: onError(),
        }),
        rollbackUpgrade: retrying('rollbackUpgrade', {
          id: 'rollbackUpgrade',
          src: 'upgrade',
          input: ({ context }) => ({ name: context.name, remote: context.previousRemote ?? context.remote }),
          onDone: [
            { guard: 'observedEnabled', target: `#${ID}.rollingBack.rollbackEnable` },
            { target: `#${ID}.rolledBack` },
          ],
          onError: onError(),
        }),
        rollbackEnable: retrying('rollbackEnable', {
          id: 'rollbackEnable',
          src: 'enable',
          input: ({ context }) => ({ name: context.name }),
          onDone: `#${ID}.rolledBack`,
          onError: onError(),
        }),
      },
    },
    installed: { type: 'final', entry: 'finishInstalled' },
    refused: { type: 'final', entry: 'finishRefused' },
    failed: { type: 'final', entry: 'finishFailed' },
    rolledBack: { type: 'final', entry: 'finishRolledBack' },
  },
  output: ({ context }): PluginInstallOutput => ({
    // Stryker disable next-line StringLiteral: equivalent, the entry of every final state sets outcome and message
    outcome: context.outcome ?? 'Failed',
    // Stryker disable next-line StringLiteral: equivalent, the entry of every final state sets outcome and message
    message: context.message ?? '',
    remote: context.outcome === 'RolledBack' ? (context.previousRemote ?? context.remote) : context.remote,
  }),
});

export type PluginInstallMachine = typeof pluginInstallMachine;
