import { describe, expect, it } from 'vitest';
import { OBJECT_KINDS } from '../../../reconciler/model/objects.js';
import {
  isOwnedBy,
  isOwnedByInstance,
  LABEL_CONTENT_HASH,
  LABEL_INSTANCE,
  LABEL_LOGICAL_NAME,
  LABEL_OWNER,
  LABEL_SPEC_HASH,
  LABEL_STACK_IMAGE,
  LABEL_STACK_NAMESPACE,
  ownerKey,
  ownerLabels,
  parseOwnerKey,
  withoutOwnershipLabels,
} from '../../../reconciler/model/ownership.js';

const OWNER = { kind: 'SwarmStack', namespace: 'ns', name: 'app' };

describe('ownership labels', () => {
  it('the label names are the documented ones (objects in a Swarm carry them)', () => {
    expect([
      LABEL_OWNER,
      LABEL_INSTANCE,
      LABEL_LOGICAL_NAME,
      LABEL_CONTENT_HASH,
      LABEL_SPEC_HASH,
      LABEL_STACK_NAMESPACE,
      LABEL_STACK_IMAGE,
    ]).toEqual([
      'swarmkeeper.io/owner',
      'swarmkeeper.io/instance',
      'swarmkeeper.io/logical-name',
      'swarmkeeper.io/content-hash',
      'swarmkeeper.io/spec-hash',
      'com.docker.stack.namespace',
      'com.docker.stack.image',
    ]);
    expect(OBJECT_KINDS).toEqual(['network', 'volume', 'config', 'secret', 'service']);
  });

  it('ownerKey and ownerLabels', () => {
    expect(ownerKey(OWNER)).toBe('SwarmStack/ns/app');
    expect(ownerLabels(OWNER, 'i1')).toEqual({ [LABEL_OWNER]: 'SwarmStack/ns/app', [LABEL_INSTANCE]: 'i1' });
  });

  it.each([
    ['SwarmStack/ns/app', OWNER],
    ['SwarmStack/ns', undefined],
    ['SwarmStack/ns/app/x', undefined],
    ['SwarmStack//app', undefined],
    ['/ns/app', undefined],
    ['SwarmStack/ns/', undefined],
    ['', undefined],
  ])('parseOwnerKey(%j)', (key, want) => {
    expect(parseOwnerKey(key)).toEqual(want);
  });

  it.each([
    [{ [LABEL_OWNER]: 'SwarmStack/ns/app', [LABEL_INSTANCE]: 'i1' }, true, true],
    [{ [LABEL_OWNER]: 'SwarmStack/ns/other', [LABEL_INSTANCE]: 'i1' }, false, true],
    [{ [LABEL_OWNER]: 'SwarmStack/ns/app', [LABEL_INSTANCE]: 'i2' }, false, false],
    [{ [LABEL_OWNER]: 'SwarmStack/ns/app' }, false, false],
    [{ [LABEL_INSTANCE]: 'i1' }, false, false],
    [{}, false, false],
    [undefined, false, false],
  ])('labels %j: owned by the resource %s, by the instance %s', (labels, byOwner, byInstance) => {
    expect(isOwnedBy(labels, OWNER, 'i1')).toBe(byOwner);
    expect(isOwnedByInstance(labels, 'i1')).toBe(byInstance);
  });

  it('withoutOwnershipLabels keeps the others, stack labels included', () => {
    const labels = {
      ...ownerLabels(OWNER, 'i1'),
      [LABEL_LOGICAL_NAME]: 'a',
      [LABEL_CONTENT_HASH]: 'b',
      [LABEL_SPEC_HASH]: 'c',
      [LABEL_STACK_NAMESPACE]: 'app',
      tier: 'web',
    };
    expect(withoutOwnershipLabels(labels)).toEqual({ [LABEL_STACK_NAMESPACE]: 'app', tier: 'web' });
    expect(withoutOwnershipLabels(undefined)).toEqual({});
  });
});
