/**
 * Replay protection for POST /hooks/git. A signed body stays valid forever (the forges sign the
 * body only, not a time), so whoever captured one delivery could replay it without limit. Each
 * verified delivery is claimed once, across every replica, in Redis (`SET NX EX`, 24 h by default):
 *  - its delivery id (GitHub `X-GitHub-Delivery`, Gitea `X-Gitea-Delivery`, Gogs `X-Gogs-Delivery`,
 *    GitLab `X-Gitlab-Event-UUID` and `Idempotency-Key`), and
 *  - the SHA-256 of its signed body: the delivery-id header is not signed, so a replay with a fresh
 *    id is still the same body. Two genuine pushes never share a body (each names its commits).
 * A delivery without any id header is accepted once per body the same way. A replay gets 409 and
 * triggers nothing; while Redis cannot answer within a second, deliveries get 503 (the forge retries).
 * After the TTL an old body may trigger again: it only asks for a fetch of the configured branch,
 * which applies what the branch holds now, never the replayed commit.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type Claim = 'new' | 'replay' | 'unavailable';

export interface DeliveryLedger {
  /** Claims a delivery: 'new' the first time its ids and body are seen, 'replay' after. */
  claim(ids: readonly string[], body: Buffer): Promise<Claim>;
}

const ID_HEADERS = [
  'x-github-delivery',
  'x-gitea-delivery',
  'x-gogs-delivery',
  'x-gitlab-event-uuid',
  'idempotency-key',
] as const;

/** The delivery ids a forge sent, as `header:value`. */
export function deliveryIds(headers: Record<string, string | string[] | undefined>): string[] {
  const ids: string[] = [];
  for (const h of ID_HEADERS) {
    const raw = headers[h];
    const v = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    if (v) ids.push(`${h}:${v.slice(0, 200)}`);
  }
  return ids;
}

/** All keys are set (with the TTL) only if none exists: one atomic claim. */
const CLAIM = `for i = 1, #KEYS do
  if redis.call('exists', KEYS[i]) == 1 then return 0 end
end
for i = 1, #KEYS do redis.call('set', KEYS[i], ARGV[2], 'EX', ARGV[1]) end
return 1`;

export function redisDeliveryLedger(
  redis: Redis,
  prefix: string,
  opts: { ttlSeconds?: number; timeoutMs?: number } = {},
): DeliveryLedger {
  const ttl = String(opts.ttlSeconds ?? 86_400);
  const timeoutMs = opts.timeoutMs ?? 1000;
  return {
    async claim(ids, body) {
      // never queue behind a reconnecting client: the forge gets 503 and retries later
      if (redis.status !== 'ready') return 'unavailable';
      const bodyKey = `${prefix}:body:${createHash('sha256').update(body).digest('hex')}`;
      const keys = [
        ...ids.map((id) => `${prefix}:id:${createHash('sha256').update(id).digest('hex')}`),
        bodyKey,
      ];
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'unavailable'>((resolve) => {
        timer = setTimeout(() => resolve('unavailable'), timeoutMs);
      });
      const claimed = (
        redis.eval(CLAIM, keys.length, ...keys, ttl, new Date().toISOString()) as Promise<number>
      )
        .then((n): Claim => (n === 1 ? 'new' : 'replay'))
        .catch((): Claim => 'unavailable');
      try {
        return await Promise.race([claimed, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
