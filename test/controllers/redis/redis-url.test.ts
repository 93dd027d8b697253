import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRedisUrl } from '../../../controllers/redis/redis-url.js';
import { isSwarmkeeperError } from '../../../reconciler/errors.js';

describe('parseRedisUrl: redis+sentinel:// to ioredis options', () => {
  it.each([
    {
      url: 'redis+sentinel://10.0.0.1:26379,10.0.0.2:26380/mymaster',
      options: {
        sentinels: [
          { host: '10.0.0.1', port: 26379 },
          { host: '10.0.0.2', port: 26380 },
        ],
        name: 'mymaster',
      },
      display: 'redis+sentinel://10.0.0.1:26379,10.0.0.2:26380/mymaster',
    },
    {
      url: 'redis+sentinel://s1,s2.example.org/m',
      options: {
        sentinels: [
          { host: 's1', port: 26379 },
          { host: 's2.example.org', port: 26379 },
        ],
        name: 'm',
      },
      display: 'redis+sentinel://s1:26379,s2.example.org:26379/m',
    },
    {
      url: 'redis+sentinel://[::1]:26379,[fe80::1]/m?db=3',
      options: {
        sentinels: [
          { host: '::1', port: 26379 },
          { host: 'fe80::1', port: 26379 },
        ],
        name: 'm',
        db: 3,
      },
      display: 'redis+sentinel://[::1]:26379,[fe80::1]:26379/m?db=3',
    },
    {
      url: 'redis+sentinel://:s3cret@h:1/m',
      options: { sentinels: [{ host: 'h', port: 1 }], name: 'm', password: 's3cret' },
      display: 'redis+sentinel://:***@h:1/m',
    },
    {
      url: 'redis+sentinel://app:p%40ss%3Aw%2Frd@h:65535/m',
      options: { sentinels: [{ host: 'h', port: 65535 }], name: 'm', username: 'app', password: 'p@ss:w/rd' },
      display: 'redis+sentinel://app:***@h:65535/m',
    },
    {
      // a raw @ in the password: the last @ ends the user info
      url: 'redis+sentinel://:p@ss@word@h/m',
      options: { sentinels: [{ host: 'h', port: 26379 }], name: 'm', password: 'p@ss@word' },
      display: 'redis+sentinel://:***@h:26379/m',
    },
    {
      url: 'REDIS+SENTINEL://h:2/m?sentinelUsername=sen&sentinelPassword=x%26y&db=0',
      options: {
        sentinels: [{ host: 'h', port: 2 }],
        name: 'm',
        db: 0,
        sentinelUsername: 'sen',
        sentinelPassword: 'x&y',
      },
      display: 'redis+sentinel://h:2/m?db=0&sentinelUsername=sen&sentinelPassword=***',
    },
  ])('$url', ({ url, options, display }) => {
    const t = parseRedisUrl(url);
    expect(t).toEqual({ kind: 'sentinel', options, display });
  });
});

describe('parseRedisUrl: plain URLs are left to ioredis, with the password hidden for logs', () => {
  it.each([
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['redis://:pw@127.0.0.1:6379/2', 'redis://:***@127.0.0.1:6379/2'],
    ['rediss://user:p%40w@redis.example:6380', 'rediss://user:***@redis.example:6380'],
    ['redis://[::1]:6379', 'redis://[::1]:6379'],
  ])('%s', (url, display) => {
    expect(parseRedisUrl(url)).toEqual({ kind: 'url', url, display });
  });
});

describe('parseRedisUrl: hostile input is refused, and the message quotes none of it', () => {
  it.each([
    ['', /expected redis:\/\/, rediss:\/\/ or redis\+sentinel:\/\//],
    ['127.0.0.1:6379', /expected redis:\/\//],
    ['http://h:1/m', /unknown scheme 'http:'/],
    ['sentinel://h:1/m', /unknown scheme 'sentinel:'/],
    ['redis+sentinel://', /no master name/],
    ['redis+sentinel:///m', /no sentinel hosts/],
    ['redis+sentinel://:pw@/m', /no sentinel hosts/],
    ['redis+sentinel://h:1', /no master name/],
    ['redis+sentinel://h:1/', /no master name/],
    ['redis+sentinel://h:1,,h2:2/m', /sentinel 2 is empty/],
    ['redis+sentinel://h:1,/m', /sentinel 2 is empty/],
    ['redis+sentinel://h:0/m', /sentinel 1: the port must be a number from 1 to 65535/],
    ['redis+sentinel://h:65536/m', /port must be a number/],
    ['redis+sentinel://h:12ab/m', /port must be a number/],
    ['redis+sentinel://h:/m', /port must be a number/],
    ['redis+sentinel://h:-1/m', /port must be a number/],
    ['redis+sentinel://::1:26379/m', /IPv6 address must be in brackets/],
    ['redis+sentinel://[::1/m', /not closed/],
    ['redis+sentinel://[::1]26379/m', /expected :port after the IPv6 address/],
    ['redis+sentinel://[zz]:1/m', /not an IPv6 address/],
    ['redis+sentinel://h_1:1/m', /not a host name/],
    ['redis+sentinel://h:1/m?db=x', /db must be a whole number/],
    ['redis+sentinel://h:1/m?db=-1', /db must be a whole number/],
    ['redis+sentinel://h:1/m?password=x', /unknown query parameter 'password'/],
    ['redis+sentinel://h:1/m?db=1&db=2', /given twice/],
    ['redis+sentinel://h:1/m/x', /master name may hold/],
    ['redis+sentinel://secretonly@h:1/m', /USER:PASSWORD or :PASSWORD/],
    ['redis+sentinel://:bad%zzsecret@h:1/m', /malformed percent-encoding in the password/],
    ['redis://', /not a valid URL|no host/],
  ])('%j', (url, message) => {
    const err = (() => {
      try {
        parseRedisUrl(url);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isSwarmkeeperError(err) && err.code).toBe('SK_ERR_CONNECTION_CONFIG');
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toMatch(/^--redis-url: /);
    expect((err as Error).message).not.toMatch(/secret|pw@|bad%zz/);
  });
});

describe('parseRedisUrl: laws', () => {
  const password = fc.string({ minLength: 1, maxLength: 30 });
  const host = fc.constantFrom('h', '10.0.0.1', '[::1]', 'redis-0.example.org');

  it('a percent-encoded password round-trips and never appears in display', () => {
    fc.assert(
      fc.property(password, fc.array(host, { minLength: 1, maxLength: 4 }), (pw, hosts) => {
        const url = `redis+sentinel://:${encodeURIComponent(pw)}@${hosts.join(',')}/m`;
        const t = parseRedisUrl(url);
        if (t.kind !== 'sentinel') throw new Error('not a sentinel target');
        expect(t.options.password).toBe(pw);
        expect(t.options.sentinels).toHaveLength(hosts.length);
        expect(t.display).toBe(`redis+sentinel://:***@${hosts.map((h) => `${h}:26379`).join(',')}/m`);
      }),
    );
  });

  it('any input either parses or throws SK_ERR_CONNECTION_CONFIG quoting none of the user info', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 20 }), (tail, secret) => {
        const marker = `Q${secret.replace(/[^A-Za-z0-9]/g, '')}Z9x7`;
        try {
          parseRedisUrl(`redis+sentinel://:${marker}@${tail}`);
        } catch (e) {
          expect(isSwarmkeeperError(e) && e.code).toBe('SK_ERR_CONNECTION_CONFIG');
          expect((e as Error).message).not.toContain(marker);
        }
      }),
    );
  });
});
