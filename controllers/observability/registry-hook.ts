/**
 * `POST /hooks/registry`: a registry's push notification polls at once the followed images of the
 * pushed repositories (image update policies), and nothing else: the stacks whose registry answer
 * changed are enqueued as an interval's poll would. The registries send static headers, not
 * signatures, so the request carries `Authorization: Bearer <webhook secret>` (registry:2
 * `notifications.endpoints[].headers`, Harbor's "Auth Header"); without a secret it answers 503.
 * The replay ledger does not apply: a bearer token authenticates the sender, not the body (whoever
 * holds it can send any body), and a replay only asks the registry once more; polls of an image
 * never overlap badly (a newer answer is never overwritten by an older one).
 */
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { ImageWatch } from '../stack/image-update-poller.js';
import type { HttpRouter } from './http-router.js';
import { parseRegistryPayload, pushMatches } from '../stack/registry-webhook-payload.js';

/** The image update poller's side of the hook. */
export interface ImagePollNow {
  pollNow(select: (w: ImageWatch) => boolean): { images: string[]; done: Promise<void> };
}

export interface RegistryHookOptions {
  secret?: Buffer;
  /** Absent: image updates are not polled in this process; a notification polls nothing. */
  images?: ImagePollNow;
  logger?: Logger;
  requests: Counter<'provider' | 'result'>;
  tokenMatches: (secret: Buffer, given: string) => boolean;
}

export function registerRegistryHook(scope: HttpRouter, o: RegistryHookOptions): void {
  scope.post('/hooks/registry', (req) => {
    if (!o.secret) {
      o.requests.inc({ provider: 'registry', result: 'disabled' });
      return {
        status: 503,
        body: {
          error:
            'the webhook receiver is disabled: start the controller with --webhook-secret-file or SWARMKEEPER_WEBHOOK_SECRET',
        },
      };
    }
    const raw = req.headers['authorization'];
    const auth = Array.isArray(raw) ? raw[0] : raw;
    const bearer = auth && /^Bearer (.+)$/.exec(auth)?.[1];
    if (!bearer || !o.tokenMatches(o.secret, bearer)) {
      o.requests.inc({ provider: 'registry', result: 'unauthorized' });
      o.logger?.warn({ ip: req.ip }, 'registry webhook rejected: nothing polled');
      return {
        status: 401,
        body: { error: 'POST /hooks/registry needs Authorization: Bearer <webhook secret>' },
      };
    }
    const { format, pushes } = parseRegistryPayload(req.body);
    const { images } = o.images?.pollNow((w) =>
      pushes.some((p) => pushMatches(p, w.image, w.policy.kind === 'semver')),
    ) ?? { images: [] };
    // answered at once (registries time out); the poll enqueues what changed
    o.requests.inc({ provider: 'registry', result: images.length > 0 ? 'accepted' : 'ignored' });
    const repositories = pushes.map(
      (p) => `${p.host ? `${p.host}/` : ''}${p.repository}${p.tag ? `:${p.tag}` : ''}`,
    );
    o.logger?.info({ format, repositories, polled: images }, 'registry webhook');
    return { status: 202, body: { format, pushed: repositories, polled: images } };
  });
}
