/**
 * `--redis-url` (and REDIS_URL) to ioredis options: pure, no I/O, no ioredis import at run time.
 *
 *   redis://[user:password@]host[:port][/db]          one Redis (ioredis parses it; rediss:// for TLS)
 *   redis+sentinel://[user:password@]host[:port],host[:port],.../MASTER[?db=N&sentinelUsername=U&sentinelPassword=P]
 *                                                      Redis Sentinel: the sentinels (default port 26379)
 *                                                      and the master group name they monitor
 *
 * The user:password of a sentinel URL authenticates to the Redis servers (master and replicas);
 * sentinels that have their own password get sentinelPassword. Reserved characters in a password are
 * percent-encoded (`@` may also be written as is); IPv6 hosts are bracketed: `[::1]:26379`.
 *
 * Errors never quote the URL or any part of it (it may hold a password): they say what is wrong
 * and where. `display` is the URL with the password replaced by `***`, safe to log.
 */
import type { RedisOptions } from 'ioredis';
import { skError } from '../../reconciler/errors.js';

export const DEFAULT_SENTINEL_PORT = 26379;

export type RedisTarget =
  /** One Redis: ioredis parses the URL itself (`new Redis(url, options)`). */
  | { readonly kind: 'url'; readonly url: string; readonly display: string }
  /** Redis Sentinel: options for `new Redis(options)` (sentinels, name, passwords, db). */
  | { readonly kind: 'sentinel'; readonly options: RedisOptions; readonly display: string };

const SCHEMES = 'redis://, rediss:// or redis+sentinel://';
const QUERY_KEYS = new Set(['db', 'sentinelUsername', 'sentinelPassword']);

function fail(what: string): never {
  throw skError('CONNECTION_CONFIG', `--redis-url: ${what}`);
}

function decode(s: string, what: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return fail(`malformed percent-encoding in ${what}`);
  }
}

/** `host`, `host:port`, `[v6]` or `[v6]:port`; `n` (1-based) names the entry in errors. */
function parseHost(entry: string, n: number): { host: string; port: number } {
  const where = `sentinel ${n}`;
  if (entry === '') fail(`${where} is empty (hosts are separated by single commas)`);
  let host: string;
  let portText: string | undefined;
  if (entry.startsWith('[')) {
    const close = entry.indexOf(']');
    if (close < 0) fail(`${where}: an IPv6 address opened with [ is not closed with ]`);
    host = entry.slice(1, close);
    if (!/^[0-9a-fA-F:.]+$/.test(host) || !host.includes(':')) fail(`${where}: not an IPv6 address`);
    const after = entry.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) fail(`${where}: expected :port after the IPv6 address`);
      portText = after.slice(1);
    }
  } else {
    const parts = entry.split(':');
    if (parts.length > 2) fail(`${where}: an IPv6 address must be in brackets, e.g. [::1]:26379`);
    host = parts[0]!;
    portText = parts[1];
    if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host))
      fail(`${where}: not a host name or IPv4 address`);
  }
  if (portText === undefined) return { host, port: DEFAULT_SENTINEL_PORT };
  const port = /^[0-9]{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) fail(`${where}: the port must be a number from 1 to 65535`);
  return { host, port };
}

function parseQuery(query: string): Map<string, string> {
  const out = new Map<string, string>();
  if (query === '') return out;
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (!QUERY_KEYS.has(key))
      fail(
        `unknown query parameter${/^[A-Za-z]{1,30}$/.test(key) ? ` '${key}'` : ''} (known: db, sentinelUsername, sentinelPassword)`,
      );
    if (out.has(key)) fail(`query parameter '${key}' given twice`);
    out.set(key, decode(eq < 0 ? '' : pair.slice(eq + 1), `query parameter '${key}'`));
  }
  return out;
}

function parseSentinel(rest: string): RedisTarget {
  const slash = rest.indexOf('/');
  if (slash < 0) fail('no master name: redis+sentinel://HOST:PORT,.../MASTER');
  const authority = rest.slice(0, slash);
  // The last @ ends the user info: a password may hold a raw @, a host never does.
  const at = authority.lastIndexOf('@');
  const userinfo = at < 0 ? undefined : authority.slice(0, at);
  const hostList = authority.slice(at + 1);
  if (hostList === '') fail('no sentinel hosts: redis+sentinel://HOST:PORT,.../MASTER');
  const sentinels = hostList.split(',').map((h, i) => parseHost(h, i + 1));

  const path = rest.slice(slash + 1);
  const q = path.indexOf('?');
  const nameRaw = q < 0 ? path : path.slice(0, q);
  const query = parseQuery(q < 0 ? '' : path.slice(q + 1).replace(/#.*$/, ''));
  const name = decode(nameRaw, 'the master name');
  if (name === '') fail('no master name: redis+sentinel://HOST:PORT,.../MASTER');
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    fail('the master name may hold letters, digits, ".", "_" and "-" only');

  const options: RedisOptions = { sentinels, name };
  let shown = '';
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    if (colon < 0) fail('the user info must be USER:PASSWORD or :PASSWORD');
    const username = decode(userinfo.slice(0, colon), 'the user name');
    const password = decode(userinfo.slice(colon + 1), 'the password');
    if (username !== '') options.username = username;
    if (password !== '') options.password = password;
    shown = `${username === '' ? '' : encodeURIComponent(username)}:${password === '' ? '' : '***'}@`;
  }
  const db = query.get('db');
  if (db !== undefined) {
    if (!/^[0-9]{1,5}$/.test(db)) fail('db must be a whole number from 0 to 99999');
    options.db = Number(db);
  }
  const sentinelUsername = query.get('sentinelUsername');
  if (sentinelUsername) options.sentinelUsername = sentinelUsername;
  const sentinelPassword = query.get('sentinelPassword');
  if (sentinelPassword) options.sentinelPassword = sentinelPassword;

  const hosts = sentinels.map((s) => `${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`).join(',');
  const params = [
    ...(db !== undefined ? [`db=${db}`] : []),
    ...(sentinelUsername ? [`sentinelUsername=${encodeURIComponent(sentinelUsername)}`] : []),
    ...(sentinelPassword ? ['sentinelPassword=***'] : []),
  ];
  const display = `redis+sentinel://${shown}${hosts}/${name}${params.length ? `?${params.join('&')}` : ''}`;
  return { kind: 'sentinel', options, display };
}

function parsePlain(url: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return fail(
      `not a valid URL (expected ${SCHEMES}; reserved characters in a password are percent-encoded)`,
    );
  }
  if (u.hostname === '') fail('no host');
  if (u.password !== '') u.password = '***';
  return { kind: 'url', url, display: u.toString() };
}

/** Parses `--redis-url`; throws SK_ERR_CONNECTION_CONFIG (whose message holds no part of the URL). */
export function parseRedisUrl(url: string): RedisTarget {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s.exec(url.trim());
  if (!m) fail(`expected ${SCHEMES}`);
  const scheme = m[1]!.toLowerCase();
  if (scheme === 'redis+sentinel') return parseSentinel(m[2]!);
  if (scheme === 'redis' || scheme === 'rediss') return parsePlain(url.trim());
  return fail(`unknown scheme '${scheme}:' (expected ${SCHEMES})`);
}
