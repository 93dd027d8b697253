/**
 * Triggers on the controller's HTTP server:
 * - `POST /hooks/git`: a forge's push webhook. The body must be signed with the webhook secret
 *   (GitHub `X-Hub-Signature-256: sha256=HMAC`, Gitea/Gogs `X-Gitea-Signature`/`X-Gogs-Signature:
 *   HMAC`, both HMAC-SHA256 of the raw body; GitLab `X-Gitlab-Token: SECRET`). Anything unsigned or
 *   badly signed gets 401 and triggers nothing. A delivery already accepted (same delivery id or same
 *   signed body, across replicas; webhook-replay.ts) gets 409 and triggers nothing. A good one syncs the git sources whose URL matches
 *   the payload's repository, or every git source if none matches; 202 names them.
 * - `POST /hooks/registry`: a registry's push notification (registry-hook.ts).
 * - `POST /sync[?source=NAME]`: `swarmkeeper sync`. Allowed from loopback, or with
 *   `Authorization: Bearer <webhook secret>`; waits for the syncs and returns their results.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { normalizeRepoUrl, parsePayload, payloadRepoUrls } from '../sources/git-webhook-payload.js';
import type { HttpReply, HttpRouter } from './http-router.js';
import { type ImagePollNow, registerRegistryHook } from './registry-hook.js';
import { type DeliveryLedger, deliveryIds } from './webhook-replay.js';

export interface SyncResult {
  ok: boolean;
  changed: boolean;
  revision?: string;
  error?: string;
}

/** A source that can be synced on demand (git sources carry their URL and report a result). */
export interface SyncTarget {
  readonly name: string;
  readonly url?: string;
  sync(): Promise<void>;
  syncNow?(trigger: 'webhook' | 'manual'): Promise<SyncResult>;
}

export interface TriggerRoutesOptions {
  /** The webhook secret; without one, /hooks/git answers 503 and /sync is loopback-only. */
  secret?: Buffer;
  targets: () => SyncTarget[];
  logger?: Logger;
  registry?: Registry;
  /** Accepts each delivery once (webhook-replay.ts); without it, replays are not detected. */
  deliveries?: DeliveryLedger;
  /** The image update poller, for POST /hooks/registry (registry-hook.ts). */
  images?: ImagePollNow;
}

export type Provider = 'github' | 'gitea' | 'gitlab';
export type Verdict = { ok: true; provider: Provider } | { ok: false; reason: string };

type Headers = Record<string, string | string[] | undefined>;

function header(h: Headers, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function hmacMatches(secret: Buffer, body: Buffer, hex: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(hex)) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(hex, 'hex'));
}

/** Constant time whatever the lengths: both sides are hashed first. */
function tokenMatches(secret: Buffer, given: string): boolean {
  const a = createHash('sha256').update(secret).digest();
  const b = createHash('sha256').update(given, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** Every signature header present must verify, and at least one must be present. */
export function verifyWebhook(headers: Headers, body: Buffer, secret: Buffer): Verdict {
  const checks: { provider: Provider; header: string; ok: boolean }[] = [];
  const gitea = header(headers, 'x-gitea-signature') ?? header(headers, 'x-gogs-signature');
  if (gitea !== undefined)
    checks.push({
      provider: 'gitea',
      header: 'X-Gitea-Signature',
      ok: hmacMatches(secret, body, gitea.trim()),
    });
  const github = header(headers, 'x-hub-signature-256');
  if (github !== undefined) {
    const m = /^sha256=(.*)$/.exec(github.trim());
    checks.push({
      provider: 'github',
      header: 'X-Hub-Signature-256',
      ok: !!m && hmacMatches(secret, body, m[1]!),
    });
  }
  const gitlab = header(headers, 'x-gitlab-token');
  if (gitlab !== undefined)
    checks.push({ provider: 'gitlab', header: 'X-Gitlab-Token', ok: tokenMatches(secret, gitlab) });
  if (checks.length === 0)
    return {
      ok: false,
      reason: 'unsigned: no X-Hub-Signature-256, X-Gitea-Signature or X-Gitlab-Token header',
    };
  const bad = checks.find((c) => !c.ok);
  if (bad) return { ok: false, reason: `${bad.header} does not match the webhook secret` };
  return { ok: true, provider: checks[0]!.provider };
}

/** The webhook secret from `--webhook-secret-file` or SWARMKEEPER_WEBHOOK_SECRET (trailing newline dropped). */
export function loadWebhookSecret(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Buffer | undefined {
  let text: string | undefined;
  if (file) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new Error(
        `--webhook-secret-file ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'EIO'})`,
      );
    }
    if (text.trim() === '') throw new Error(`--webhook-secret-file ${file} is empty`);
  } else text = env['SWARMKEEPER_WEBHOOK_SECRET'] || undefined;
  return text === undefined ? undefined : Buffer.from(text.replace(/\r?\n$/, ''), 'utf8');
}

function eventOf(h: Headers): string | undefined {
  return (
    header(h, 'x-github-event') ??
    header(h, 'x-gitea-event') ??
    header(h, 'x-gogs-event') ??
    header(h, 'x-gitlab-event')
  );
}

export function isLoopback(address: string | undefined): boolean {
  return !!address && (/^127\./.test(address) || address === '::1' || /^::ffff:127\./.test(address));
}

const send = (status: number, body: unknown): HttpReply => ({ status, body });

/** Mounts POST /hooks/git, POST /hooks/registry and POST /sync (each reads the raw body). */
export function registerTriggerRoutes(app: HttpRouter, opts: TriggerRoutesOptions): void {
  const requests =
    (opts.registry?.getSingleMetric('swarmkeeper_webhook_requests_total') as
      Counter<'provider' | 'result'> | undefined) ??
    new Counter({
      name: 'swarmkeeper_webhook_requests_total',
      help: 'POST /hooks/git and /hooks/registry (provider "registry") requests by provider and result (accepted, ignored, unauthorized, replayed, unavailable, disabled)',
      labelNames: ['provider', 'result'] as const,
      registers: opts.registry ? [opts.registry] : [],
    });
  const log = opts.logger;
  const gitTargets = () => opts.targets().filter((t) => t.url !== undefined);

  app.post('/hooks/git', async (req) => {
    const headers = req.headers as Headers;
    if (!opts.secret) {
      requests.inc({ provider: 'unknown', result: 'disabled' });
      return send(503, {
        error:
          'the webhook receiver is disabled: start the controller with --webhook-secret-file or SWARMKEEPER_WEBHOOK_SECRET',
      });
    }
    const body = req.body;
    const verdict = verifyWebhook(headers, body, opts.secret);
    if (!verdict.ok) {
      requests.inc({ provider: 'unknown', result: 'unauthorized' });
      log?.warn({ reason: verdict.reason, ip: req.ip }, 'webhook rejected: nothing triggered');
      return send(401, { error: verdict.reason });
    }
    const ids = deliveryIds(headers);
    const claim = opts.deliveries ? await opts.deliveries.claim(ids, body) : 'new';
    if (claim === 'replay') {
      requests.inc({ provider: verdict.provider, result: 'replayed' });
      log?.warn(
        { provider: verdict.provider, deliveries: ids, ip: req.ip },
        'webhook replay rejected: nothing triggered',
      );
      return send(409, {
        error:
          'this delivery (its delivery id or its signed body) was already accepted: a replay triggers nothing',
      });
    }
    if (claim === 'unavailable') {
      requests.inc({ provider: verdict.provider, result: 'unavailable' });
      log?.warn(
        { provider: verdict.provider },
        'webhook not accepted: Redis (the replay ledger) is unreachable',
      );
      return send(503, {
        error: 'cannot check the delivery against replays now (Redis unreachable); retry later',
      });
    }
    const event = eventOf(headers);
    if (event === 'ping') {
      requests.inc({ provider: verdict.provider, result: 'ignored' });
      return send(200, { provider: verdict.provider, event, triggered: [] });
    }
    if (event !== undefined && !/push|tag|create/i.test(event)) {
      requests.inc({ provider: verdict.provider, result: 'ignored' });
      return send(202, { provider: verdict.provider, event, triggered: [], ignored: 'not a push event' });
    }
    const repos = payloadRepoUrls(parsePayload(body, header(headers, 'content-type')));
    const all = gitTargets();
    const matching = all.filter((t) => repos.includes(normalizeRepoUrl(t.url!)));
    const chosen = matching.length > 0 ? matching : all;
    for (const t of chosen) void (t.syncNow ? t.syncNow('webhook') : t.sync()).catch(() => undefined);
    requests.inc({ provider: verdict.provider, result: 'accepted' });
    const triggered = chosen.map((t) => t.name);
    log?.info(
      { provider: verdict.provider, event, repos, matched: matching.length > 0, triggered },
      'webhook accepted',
    );
    return send(202, { provider: verdict.provider, event, matched: matching.length > 0, triggered });
  });

  registerRegistryHook(app, {
    ...(opts.secret ? { secret: opts.secret } : {}),
    ...(opts.images ? { images: opts.images } : {}),
    ...(log ? { logger: log } : {}),
    requests,
    tokenMatches,
  });

  app.post('/sync', async (req) => {
    const auth = header(req.headers as Headers, 'authorization');
    const bearer = auth && /^Bearer (.+)$/.exec(auth)?.[1];
    const allowed = isLoopback(req.ip) || (!!opts.secret && !!bearer && tokenMatches(opts.secret, bearer));
    if (!allowed)
      return send(403, {
        error: 'POST /sync is allowed from loopback, or with Authorization: Bearer <webhook secret>',
      });
    // a repeated ?source= is an array, as fastify's query parser gave it: it names no source
    const name = req.query['source'];
    const all = opts.targets();
    const chosen = name === undefined ? all : all.filter((t) => t.name === name);
    if (chosen.length === 0)
      return send(404, {
        error: `no source named "${String(name)}"; sources: ${all.map((t) => t.name).join(', ')}`,
      });
    const results = await Promise.all(
      chosen.map(async (t) => {
        if (t.syncNow) return { source: t.name, ...(await t.syncNow('manual')) };
        await t.sync();
        return { source: t.name, ok: true, changed: false };
      }),
    );
    log?.info({ sources: results.map((r) => r.source) }, 'manual sync');
    return send(200, { results });
  });
}
