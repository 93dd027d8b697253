import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HttpRouter } from '../../../controllers/observability/http-router.js';
import {
  type SyncTarget,
  isLoopback,
  loadWebhookSecret,
  registerTriggerRoutes,
  verifyWebhook,
} from '../../../controllers/observability/webhook.js';

const SECRET = 'It’s a Secret to Everybody';
const secret = Buffer.from(SECRET);
const body = Buffer.from('{"repository":{"clone_url":"https://github.com/org/infra.git"}}');
const hex = (key: string, b: Buffer | string = body) => createHmac('sha256', key).update(b).digest('hex');

describe('verifyWebhook', () => {
  it.each<[string, Record<string, string>, ReturnType<typeof verifyWebhook>]>([
    ['GitHub, good', { 'x-hub-signature-256': `sha256=${hex(SECRET)}` }, { ok: true, provider: 'github' }],
    [
      'GitHub, upper-case hex',
      { 'x-hub-signature-256': `sha256=${hex(SECRET).toUpperCase()}` },
      { ok: true, provider: 'github' },
    ],
    [
      'GitHub, other secret',
      { 'x-hub-signature-256': `sha256=${hex('other')}` },
      { ok: false, reason: 'X-Hub-Signature-256 does not match the webhook secret' },
    ],
    [
      'GitHub, signature of another body',
      { 'x-hub-signature-256': `sha256=${hex(SECRET, '{}')}` },
      { ok: false, reason: 'X-Hub-Signature-256 does not match the webhook secret' },
    ],
    [
      'GitHub, no sha256= prefix',
      { 'x-hub-signature-256': hex(SECRET) },
      { ok: false, reason: 'X-Hub-Signature-256 does not match the webhook secret' },
    ],
    [
      'GitHub, truncated',
      { 'x-hub-signature-256': `sha256=${hex(SECRET).slice(0, 40)}` },
      { ok: false, reason: 'X-Hub-Signature-256 does not match the webhook secret' },
    ],
    [
      'GitHub, legacy sha1 header only',
      { 'x-hub-signature': `sha1=${createHmac('sha1', SECRET).update(body).digest('hex')}` },
      { ok: false, reason: 'unsigned: no X-Hub-Signature-256, X-Gitea-Signature or X-Gitlab-Token header' },
    ],
    ['Gitea, good', { 'x-gitea-signature': hex(SECRET) }, { ok: true, provider: 'gitea' }],
    ['Gogs, good', { 'x-gogs-signature': hex(SECRET) }, { ok: true, provider: 'gitea' }],
    [
      'Gitea + GitHub headers, both good',
      { 'x-gitea-signature': hex(SECRET), 'x-hub-signature-256': `sha256=${hex(SECRET)}` },
      { ok: true, provider: 'gitea' },
    ],
    [
      'Gitea good but GitHub header bad',
      { 'x-gitea-signature': hex(SECRET), 'x-hub-signature-256': 'sha256=00' },
      { ok: false, reason: 'X-Hub-Signature-256 does not match the webhook secret' },
    ],
    [
      'Gitea, bad',
      { 'x-gitea-signature': hex('nope') },
      { ok: false, reason: 'X-Gitea-Signature does not match the webhook secret' },
    ],
    [
      'Gitea, empty',
      { 'x-gitea-signature': '' },
      { ok: false, reason: 'X-Gitea-Signature does not match the webhook secret' },
    ],
    ['GitLab, good', { 'x-gitlab-token': SECRET }, { ok: true, provider: 'gitlab' }],
    [
      'GitLab, bad',
      { 'x-gitlab-token': 'guess' },
      { ok: false, reason: 'X-Gitlab-Token does not match the webhook secret' },
    ],
    [
      'GitLab, secret prefix only',
      { 'x-gitlab-token': SECRET.slice(0, 5) },
      { ok: false, reason: 'X-Gitlab-Token does not match the webhook secret' },
    ],
    [
      'GitLab, secret with a trailing newline',
      { 'x-gitlab-token': `${SECRET}\n` },
      { ok: false, reason: 'X-Gitlab-Token does not match the webhook secret' },
    ],
    [
      'unsigned',
      {},
      { ok: false, reason: 'unsigned: no X-Hub-Signature-256, X-Gitea-Signature or X-Gitlab-Token header' },
    ],
  ])('%s', (_name, headers, verdict) => {
    expect(verifyWebhook(headers, body, secret)).toEqual(verdict);
  });
});

describe('loadWebhookSecret', () => {
  it('reads the file (dropping one trailing newline), else the environment, else nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sk-wh-'));
    try {
      writeFileSync(join(dir, 's'), 'abc \n');
      expect(loadWebhookSecret(join(dir, 's'), {})?.toString()).toBe('abc ');
      expect(loadWebhookSecret(undefined, { SWARMKEEPER_WEBHOOK_SECRET: 'e' })?.toString()).toBe('e');
      expect(loadWebhookSecret(undefined, {})).toBeUndefined();
      writeFileSync(join(dir, 'empty'), '\n');
      expect(() => loadWebhookSecret(join(dir, 'empty'), {})).toThrow(
        `--webhook-secret-file ${join(dir, 'empty')} is empty`,
      );
      expect(() => loadWebhookSecret(join(dir, 'missing'), {})).toThrow(
        `--webhook-secret-file ${join(dir, 'missing')}: cannot read (ENOENT)`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

it.each<[string, boolean]>([
  ['127.0.0.1', true],
  ['127.5.0.1', true],
  ['::1', true],
  ['::ffff:127.0.0.1', true],
  ['10.0.0.1', false],
  ['::ffff:10.0.0.1', false],
  ['', false],
])('isLoopback(%j) = %s', (a, want) => expect(isLoopback(a)).toBe(want));

function fakeTarget(name: string, url?: string): SyncTarget & { calls: string[] } {
  const calls: string[] = [];
  return {
    name,
    ...(url ? { url } : {}),
    calls,
    sync: async () => void calls.push('sync'),
    ...(url
      ? {
          syncNow: async (trigger: 'webhook' | 'manual') => {
            calls.push(trigger);
            return { ok: true, changed: true, revision: 'abc' };
          },
        }
      : {}),
  };
}

function app(withSecret = true) {
  const targets = [
    fakeTarget('infra', 'git@github.com:org/infra.git'),
    fakeTarget('apps', 'https://github.com/org/apps'),
    fakeTarget('local'),
  ];
  const registry = new Registry();
  const a = new HttpRouter();
  registerTriggerRoutes(a, { ...(withSecret ? { secret } : {}), targets: () => targets, registry });
  return { a, targets, registry };
}

describe('POST /hooks/git', () => {
  it.each<[string, string, Record<string, string>, number, string[]]>([
    [
      'GitHub push of a known repository: only that source',
      '{"repository":{"clone_url":"https://github.com/Org/infra.git","ssh_url":"git@github.com:Org/infra.git"}}',
      { 'x-github-event': 'push' },
      202,
      ['infra'],
    ],
    [
      'GitLab push (project.git_ssh_url)',
      '{"project":{"git_ssh_url":"git@github.com:org/apps.git","git_http_url":"https://github.com/org/apps.git"}}',
      { 'x-gitlab-event': 'Push Hook' },
      202,
      ['apps'],
    ],
    [
      'unknown repository: every git source',
      '{"repository":{"clone_url":"https://x.example/o/r"}}',
      {},
      202,
      ['infra', 'apps'],
    ],
    ['no repository at all: every git source', 'not json', {}, 202, ['infra', 'apps']],
    ['ping: nothing', '{"zen":"hi"}', { 'x-github-event': 'ping' }, 200, []],
    ['an issue event: nothing', '{}', { 'x-github-event': 'issues' }, 202, []],
  ])('%s', async (_n, payload, extra, status, triggered) => {
    const { a, targets } = app();
    const r = await a.inject({
      method: 'POST',
      url: '/hooks/git',
      payload,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': `sha256=${hex(SECRET, payload)}`,
        ...extra,
      },
    });
    expect(r.statusCode).toBe(status);
    expect((r.json() as { triggered: string[] }).triggered).toEqual(triggered);
    expect(targets.filter((t) => t.calls.includes('webhook')).map((t) => t.name)).toEqual(triggered);
    expect(targets.find((t) => t.name === 'local')!.calls).toEqual([]);
  });

  it('verifies the raw bytes: a re-serialised body (other spacing) does not verify', async () => {
    const { a, targets, registry } = app();
    const payload = '{"repository": {"clone_url": "https://github.com/org/infra.git"}}';
    const signed = `sha256=${hex(SECRET, JSON.stringify(JSON.parse(payload)))}`;
    const r = await a.inject({
      method: 'POST',
      url: '/hooks/git',
      payload,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signed },
    });
    expect(r.statusCode).toBe(401);
    expect(r.json()).toEqual({ error: 'X-Hub-Signature-256 does not match the webhook secret' });
    expect(targets.flatMap((t) => t.calls)).toEqual([]);
    expect(await registry.getSingleMetricAsString('swarmkeeper_webhook_requests_total')).toContain(
      'swarmkeeper_webhook_requests_total{provider="unknown",result="unauthorized"} 1',
    );
  });

  it.each<[string, Record<string, string>]>([
    ['unsigned', {}],
    ['bad GitHub signature', { 'x-hub-signature-256': `sha256=${hex('x')}` }],
    ['bad Gitea signature', { 'x-gitea-signature': hex('x') }],
    ['bad GitLab token', { 'x-gitlab-token': 'x' }],
  ])('%s: 401, nothing triggered', async (_n, headers) => {
    const { a, targets } = app();
    const r = await a.inject({
      method: 'POST',
      url: '/hooks/git',
      payload: body,
      headers: { 'content-type': 'application/json', ...headers },
    });
    expect(r.statusCode).toBe(401);
    expect(targets.flatMap((t) => t.calls)).toEqual([]);
  });

  it('form-encoded GitHub payloads are matched too', async () => {
    const { a, targets } = app();
    const payload = `payload=${encodeURIComponent('{"repository":{"clone_url":"https://github.com/org/apps.git"}}')}`;
    const r = await a.inject({
      method: 'POST',
      url: '/hooks/git',
      payload,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-hub-signature-256': `sha256=${hex(SECRET, payload)}`,
      },
    });
    expect(r.statusCode).toBe(202);
    expect(targets.filter((t) => t.calls.length > 0).map((t) => t.name)).toEqual(['apps']);
  });

  it('without a secret the receiver is disabled (503) and triggers nothing', async () => {
    const { a, targets } = app(false);
    const r = await a.inject({
      method: 'POST',
      url: '/hooks/git',
      payload: body,
      headers: { 'content-type': 'application/json' },
    });
    expect(r.statusCode).toBe(503);
    expect(targets.flatMap((t) => t.calls)).toEqual([]);
  });

  it('a route it does not have is a 404, with the body fastify gave', async () => {
    const { a } = app();
    const r = await a.inject({ method: 'POST', url: '/other', payload: { x: 1 } });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({ message: 'Route POST:/other not found', error: 'Not Found', statusCode: 404 });
  });
});

describe('POST /sync', () => {
  it('from loopback: syncs every source (or one by name) and returns the results', async () => {
    const { a, targets } = app();
    const all = await a.inject({ method: 'POST', url: '/sync' });
    expect(all.statusCode).toBe(200);
    expect(all.json()).toEqual({
      results: [
        { source: 'infra', ok: true, changed: true, revision: 'abc' },
        { source: 'apps', ok: true, changed: true, revision: 'abc' },
        { source: 'local', ok: true, changed: false },
      ],
    });
    const one = await a.inject({ method: 'POST', url: '/sync?source=apps' });
    expect(one.json()).toEqual({ results: [{ source: 'apps', ok: true, changed: true, revision: 'abc' }] });
    expect(targets.map((t) => t.calls)).toEqual([['manual'], ['manual', 'manual'], ['sync']]);
  });

  it('a repeated source names none (fastify read it as an array)', async () => {
    const { a, targets } = app();
    const r = await a.inject({ method: 'POST', url: '/sync?source=apps&source=infra' });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({ error: 'no source named "apps,infra"; sources: infra, apps, local' });
    expect(targets.flatMap((t) => t.calls)).toEqual([]);
  });

  it('an unknown name is a 404 listing the sources', async () => {
    const { a } = app();
    const r = await a.inject({ method: 'POST', url: '/sync?source=nope' });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({ error: 'no source named "nope"; sources: infra, apps, local' });
  });

  it.each<[string, Record<string, string>, number]>([
    ['no credentials', {}, 403],
    ['wrong bearer', { authorization: 'Bearer nope' }, 403],
    ['the webhook secret as bearer', { authorization: `Bearer ${SECRET}` }, 200],
  ])('from another host, %s: %i', async (_n, headers, status) => {
    const { a, targets } = app();
    const r = await a.inject({ method: 'POST', url: '/sync', remoteAddress: '10.1.2.3', headers });
    expect(r.statusCode).toBe(status);
    expect(targets.some((t) => t.calls.length > 0)).toBe(status === 200);
  });
});
