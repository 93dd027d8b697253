// What differs from a node's volume; Secret values never appear in a difference or JSON output.
import { describe, expect, it } from 'vitest';
import { swarmVolumeSpecSchema, type SwarmVolumeSpecInput } from '../../../reconciler/api/swarm-volume.js';
import {
  desiredVolume,
  redact,
  sensitiveValues,
  volumeDifferences,
} from '../../../reconciler/desired/volume.js';
import { Sensitive } from '../../../reconciler/model/sensitive.js';
import { values } from './volume-preset-secrets.js';

describe('desiredVolume and volumeDifferences', () => {
  const owner = { kind: 'SwarmVolume', namespace: 'default', name: 'data' };
  const spec = (s: unknown) => swarmVolumeSpecSchema.parse(s as SwarmVolumeSpecInput);
  const OWNER = { 'swarmkeeper.io/owner': 'SwarmVolume/default/data', 'swarmkeeper.io/instance': 'i1' };

  it.each([
    ['defaults', {}, { name: 'data', driver: 'local', driverOpts: {}, labels: OWNER }],
    [
      'driver, options, labels, name',
      { name: 'vol_1', driver: 'swlvol', driverOpts: { size: '1' }, labels: { tier: 'db' } },
      { name: 'vol_1', driver: 'swlvol', driverOpts: { size: '1' }, labels: { tier: 'db', ...OWNER } },
    ],
    [
      'owner labels win over user labels',
      { labels: { 'swarmkeeper.io/owner': 'x' } },
      { name: 'data', driver: 'local', driverOpts: {}, labels: OWNER },
    ],
    [
      'preset',
      { preset: { type: 'local', tmpfs: true, size: '8m' } },
      {
        name: 'data',
        driver: 'local',
        driverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=8m' },
        labels: OWNER,
      },
    ],
  ])('%s', (_, s, want) => {
    expect(desiredVolume(owner, spec(s), 'i1', values)).toEqual(want);
  });

  const d = desiredVolume(owner, spec({ driver: 'swlvol', driverOpts: { a: '1' } }), 'i1', values);
  it.each([
    [
      'same (plugin listed as name:latest)',
      { Name: 'data', Driver: 'swlvol:latest', Options: { a: '1' }, Labels: OWNER },
      true,
      [],
    ],
    [
      'other driver',
      { Name: 'data', Driver: 'local', Options: { a: '1' }, Labels: OWNER },
      true,
      ['driver (local -> swlvol)'],
    ],
    [
      'option changed, added, removed',
      { Name: 'data', Driver: 'swlvol', Options: { a: '2', b: 'x' }, Labels: OWNER },
      true,
      ['driverOpts.a', 'driverOpts.b'],
    ],
    [
      'no options at all',
      { Name: 'data', Driver: 'swlvol', Options: null, Labels: OWNER },
      true,
      ['driverOpts.a'],
    ],
    [
      'labels differ',
      { Name: 'data', Driver: 'swlvol', Options: { a: '1' }, Labels: { x: '1' } },
      true,
      ['labels.swarmkeeper.io/instance', 'labels.swarmkeeper.io/owner', 'labels.x'],
    ],
    [
      'labels ignored (adopted)',
      { Name: 'data', Driver: 'swlvol', Options: { a: '1' }, Labels: null },
      false,
      [],
    ],
  ])('%s', (_, observed, labels, diff) => {
    expect(volumeDifferences(d, observed, { labels })).toEqual(diff);
  });

  it('names changed credential options without their values', () => {
    const s3 = desiredVolume(
      owner,
      spec({ preset: { type: 's3fs', bucket: 'b', credentialsSecretRef: { name: 's3' } } }),
      'i1',
      values,
    );
    const diff = volumeDifferences(s3, {
      Name: 'data',
      Driver: 's3fs',
      Options: { bucket: 'b', AWSACCESSKEYID: 'OLDID', AWSSECRETACCESSKEY: 'S3CRETACCESSKEY' },
      Labels: s3.labels,
    });
    expect(diff).toEqual(['driverOpts.AWSACCESSKEYID']);
    expect(redact('mount failed: key S3CRETACCESSKEY rejected', sensitiveValues(s3.driverOpts))).toBe(
      'mount failed: key [redacted] rejected',
    );
  });
});

describe('volume helpers', () => {
  it.each([
    ['no secrets', 'mount failed', [], 'mount failed'],
    ['an empty secret is no pattern', 'mount failed', [''], 'mount failed'],
    [
      'every occurrence of every secret',
      'a S1 b S2 c S1',
      ['S1', 'S2'],
      'a [redacted] b [redacted] c [redacted]',
    ],
  ])('redact: %s', (_n, message, secrets, want) => {
    expect(redact(message, secrets)).toBe(want);
  });

  it('sensitiveValues: only Secret values, and no empty one', () => {
    expect(sensitiveValues({ a: 'plain', b: new Sensitive('S1'), c: new Sensitive('') })).toEqual(['S1']);
  });

  it.each([
    ['name:latest is name', { Driver: 'vieux/sshfs:latest' }, []],
    ['another tag differs', { Driver: 'vieux/sshfs:1.0' }, ['driver (vieux/sshfs:1.0 -> vieux/sshfs)']],
    [
      'latest inside a name differs',
      { Driver: 'vieux/sshfs:latest-x' },
      ['driver (vieux/sshfs:latest-x -> vieux/sshfs)'],
    ],
  ])('volumeDifferences, driver: %s', (_n, observed, want) => {
    const desired = { name: 'v', driver: 'vieux/sshfs', driverOpts: {}, labels: {} };
    expect(volumeDifferences(desired, { Name: 'v', Options: {}, Labels: {}, ...observed })).toEqual(want);
  });

  it('volumeDifferences compares labels unless told not to (an adopted volume keeps its own)', () => {
    const desired = { name: 'v', driver: 'local', driverOpts: {}, labels: { tier: 'db' } };
    const observed = { Name: 'v', Driver: 'local', Options: {}, Labels: { tier: 'web' } };
    expect(volumeDifferences(desired, observed)).toEqual(['labels.tier']);
    expect(volumeDifferences(desired, observed, { labels: false })).toEqual([]);
  });
});
