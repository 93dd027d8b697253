/** Short volume syntax `[source:]target[:mode]`, read like docker/cli's loader (checked with docker stack config). */
import { describe, expect, it } from 'vitest';
import { parseShortVolume, type ComposeServiceVolume } from '../../../reconciler/compose/volumes.js';

describe('parseShortVolume: accepted', () => {
  it.each<[string, ComposeServiceVolume]>([
    ['/c', { type: 'volume', target: '/c' }],
    ['vol:/x', { type: 'volume', source: 'vol', target: '/x' }],
    ['rel/x:/c', { type: 'volume', source: 'rel/x', target: '/c' }],
    ['vol:/x:rw', { type: 'volume', source: 'vol', target: '/x', read_only: false }],
    [
      'vol:/x:ro,nocopy',
      { type: 'volume', source: 'vol', target: '/x', read_only: true, volume: { nocopy: true } },
    ],
    ['/h:/c', { type: 'bind', source: '/h', target: '/c' }],
    ['./h:/c', { type: 'bind', source: './h', target: '/c' }],
    ['~/x:/y', { type: 'bind', source: '~/x', target: '/y' }],
    ['/h:/c:ro,rw', { type: 'bind', source: '/h', target: '/c', read_only: false }],
    ['/h:/c:rprivate', { type: 'bind', source: '/h', target: '/c', bind: { propagation: 'rprivate' } }],
    [
      '/h:/c:ro,shared',
      { type: 'bind', source: '/h', target: '/c', read_only: true, bind: { propagation: 'shared' } },
    ],
    // consistency is accepted and dropped in the short syntax (docker/cli's loader ignores it)
    ['/h:/c:cached', { type: 'bind', source: '/h', target: '/c' }],
    ['vol:/c:ro,delegated', { type: 'volume', source: 'vol', target: '/c', read_only: true }],
    ['/h:/c:consistent', { type: 'bind', source: '/h', target: '/c' }],
  ])('%s', (spec, want) => expect(parseShortVolume(spec)).toStrictEqual(want));
});

describe('parseShortVolume: rejected', () => {
  it.each([
    [':/x', 'invalid volume specification ":/x"'],
    ['vol:/c:', 'invalid volume specification "vol:/c:"'],
    ['a:b:c:d', 'invalid volume specification "a:b:c:d"'],
    ['', 'invalid volume specification ""'],
    [
      '/h:/c:bogus',
      'invalid volume option "bogus" in "/h:/c:bogus"; supported: ro, rw, nocopy, shared, rshared, slave, rslave, private, rprivate, consistent, cached, delegated',
    ],
    ['/h:/c:nocopy', 'invalid volume "/h:/c:nocopy": nocopy applies to named volumes only'],
    ['vol:/c:rshared', 'invalid volume "vol:/c:rshared": propagation applies to bind mounts only'],
  ])('%j', (spec, message) => expect(() => parseShortVolume(spec)).toThrow(message));
});
