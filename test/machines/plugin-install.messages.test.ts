// Texts of the plugin install machine, from a context: which reference a failure names, rollbacks, refusals.
import { describe, expect, it } from 'vitest';
import {
  failedMessage,
  installedMessage,
  refusedMessage,
  rolledBackMessage,
  stepFailureMessage,
} from '../../machines/plugin-install.messages.js';
import type { PluginInstallContext } from '../../machines/plugin-install.types.js';
import { input, NETWORK_NONE, REF1, REF2 } from './plugin-install-harness.js';

const ctx = (over: Partial<PluginInstallContext> = {}): PluginInstallContext => ({
  ...input({ remote: REF2 }),
  mode: 'upgrade',
  observed: null,
  types: [],
  step: 'upgrade',
  attempt: 2,
  verifyChecks: 0,
  previousRemote: REF1,
  lastFailure: { message: 'EOF', retryable: true },
  ...over,
});

describe('plugin install messages', () => {
  it.each<[string, Partial<PluginInstallContext>, string]>([
    [
      'an upgrade names the new reference',
      {},
      `upgrade plugin swlvol (${REF2}) on node n2 failed after 2 attempts: EOF`,
    ],
    [
      'a rollback names the previous reference',
      { step: 'rollbackUpgrade' },
      `roll back plugin swlvol (${REF1}) on node n2 failed after 2 attempts: EOF`,
    ],
    [
      'one attempt, no failure recorded',
      { step: 'rollbackEnable', attempt: 1, lastFailure: undefined },
      `enable plugin after rollback swlvol (${REF2}) on node n2 failed after 1 attempt: unknown error`,
    ],
    [
      'rollbackDisable',
      { step: 'rollbackDisable' },
      `disable plugin for rollback swlvol (${REF2}) on node n2 failed after 2 attempts: EOF`,
    ],
  ])('step failure: %s', (_n, over, text) => {
    expect(stepFailureMessage(ctx(over))).toBe(text);
  });

  it.each<[string, Partial<PluginInstallContext>, string]>([
    ['no upgrade: the step', {}, `upgrade plugin swlvol (${REF2}) on node n2 failed after 2 attempts: EOF`],
    [
      'the rollback of an upgrade failed',
      { upgradeFailure: 'manifest unknown', step: 'rollbackUpgrade' },
      `manifest unknown; rollback to ${REF1} failed: roll back plugin swlvol (${REF1}) on node n2 failed after 2 attempts: EOF`,
    ],
  ])('failed: %s', (_n, over, text) => {
    expect(failedMessage(ctx(over))).toBe(text);
  });

  it.each<[string, Partial<PluginInstallContext>, string]>([
    [
      'with the reason',
      { upgradeFailure: 'manifest unknown' },
      `rolled back to ${REF1} on node n2: manifest unknown`,
    ],
    ['without one', {}, `rolled back to ${REF1} on node n2: upgrade failed`],
  ])('rolled back: %s', (_n, over, text) => {
    expect(rolledBackMessage(ctx(over))).toBe(text);
  });

  it.each<[string, Partial<PluginInstallContext>, string]>([
    ['enabled, installed now', { mode: 'install' }, `swlvol (${REF2}) enabled on node n2`],
    [
      'disabled, adopted',
      { mode: 'adopt', enabled: false },
      `swlvol (${REF2}) installed, disabled on node n2 (already installed)`,
    ],
  ])('installed: %s', (_n, over, text) => {
    expect(installedMessage(ctx(over))).toBe(text);
  });

  it.each<[string, Partial<PluginInstallContext>, string]>([
    [
      'privileges not granted',
      { privileges: NETWORK_NONE, allowedPrivileges: [] },
      `plugin ${REF2} asks for privileges not allowed: network=[none] (node n2)`,
    ],
    ['privileges unknown', { allowedPrivileges: [] }, `plugin ${REF2} refused (node n2)`],
  ])('refused: %s', (_n, over, text) => {
    expect(refusedMessage(ctx(over))).toBe(text);
  });
});
