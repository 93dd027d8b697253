import { describe, expect, it } from 'vitest';
import { loadCompose } from '../../../reconciler/compose/load.js';

const TEXT = 'services:\n  web:\n    image: a\n    read_only: ${RO}\n    deploy:\n      replicas: ${N}\n';
const load = (env: Record<string, string>) =>
  loadCompose({ file: 's.yml', text: TEXT }, { env }).services['web'];
const error = (env: Record<string, string>): string => {
  try {
    load(env);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

// Interpolated values cast to the field's type as docker/cli 28 casts them (checked with
// `RO=… N=… docker stack config -c f.yml`): its toBoolean and strconv.Atoi, nothing trimmed.
describe('a boolean from a variable', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    ['yes', true],
    ['Y', true],
    ['on', true],
    ['false', false],
    ['No', false],
    ['n', false],
    ['OFF', false],
  ])('%s', (ro, want) => {
    expect(load({ RO: ro, N: '1' })?.read_only).toBe(want);
  });
  it.each(['1', '0', ' on', 'yes ', 'maybe', ''])('%j is refused', (ro) => {
    // (the value itself is shown only when short: an interpolated value may be a secret)
    expect(error({ RO: ro, N: '1' })).toContain(
      's.yml:4: services.web.read_only: expected a boolean (true or false), got ',
    );
  });
});

describe('an integer from a variable', () => {
  it.each([
    ['3', 3],
    ['33', 33],
    ['033', 33],
    ['+3', 3],
    ['0', 0],
  ])('%s', (n, want) => {
    expect(load({ RO: 'true', N: n })?.deploy?.replicas).toBe(want);
  });
  it.each([' 3 ', '3x', 'x3', '1.5', '3 3', ''])('%j is refused', (n) => {
    expect(error({ RO: 'true', N: n })).toContain(
      's.yml:6: services.web.deploy.replicas: expected an integer, got ',
    );
  });
});
