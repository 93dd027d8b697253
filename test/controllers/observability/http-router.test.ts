import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { BODY_LIMIT, HttpRouter } from '../../../controllers/observability/http-router.js';

const open: HttpRouter[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
});

async function serve(): Promise<{ router: HttpRouter; url: string }> {
  const router = new HttpRouter();
  router.get('/text', () => ({ status: 200, body: 'a 1\n', contentType: 'text/plain; version=0.0.4' }));
  router.get('/json', (req) => ({ status: 503, body: { ok: false, q: req.query } }));
  router.get('/boom', () => {
    throw new Error('it broke');
  });
  router.post('/echo', (req) => ({ status: 202, body: { bytes: req.body.length, ip: req.ip } }));
  await router.listen({ host: '127.0.0.1', port: 0 });
  open.push(router);
  return { router, url: `http://127.0.0.1:${router.port()}` };
}

/** One raw request (fetch refuses a HEAD body check and hides content-length). */
function raw(url: string, method: string, body?: Buffer) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(url, { method }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      });
      req.on('error', reject);
      req.end(body);
    },
  );
}

describe('HttpRouter over a socket (fastify replaced, its answers kept)', () => {
  it.each<[string, string, number, string, string | RegExp]>([
    ['a string with its content type', '/text', 200, 'text/plain; version=0.0.4', 'a 1\n'],
    [
      'JSON, with the query',
      '/json?a=1&a=2&b=x',
      503,
      'application/json; charset=utf-8',
      '{"ok":false,"q":{"a":["1","2"],"b":"x"}}',
    ],
    ['an escaped path: the route', '/te%78t', 200, 'text/plain; version=0.0.4', 'a 1\n'],
    [
      'a thrown error: 500',
      '/boom',
      500,
      'application/json; charset=utf-8',
      '{"statusCode":500,"error":"Internal Server Error","message":"it broke"}',
    ],
    [
      'no such route: 404',
      '/nope',
      404,
      'application/json; charset=utf-8',
      '{"message":"Route GET:/nope not found","error":"Not Found","statusCode":404}',
    ],
    [
      'a GET route asked with POST: 404',
      '/text',
      404,
      'application/json; charset=utf-8',
      /Route POST:\/text not found/,
    ],
  ])('%s', async (_n, path, status, type, body) => {
    const { url } = await serve();
    const r = await raw(url + path, _n.includes('POST') ? 'POST' : 'GET');
    expect(r.status).toBe(status);
    expect(r.headers['content-type']).toBe(type);
    if (typeof body === 'string') expect(r.body).toBe(body);
    else expect(r.body).toMatch(body);
    expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(r.body));
  });

  it('HEAD of a GET route: its status and headers, no body', async () => {
    const { url } = await serve();
    const r = await raw(`${url}/text`, 'HEAD');
    expect([r.status, r.headers['content-type'], r.headers['content-length'], r.body]).toEqual([
      200,
      'text/plain; version=0.0.4',
      '4',
      '',
    ]);
  });

  it('a POST body up to the limit reaches the route; one byte more is a 413 that reaches none', async () => {
    const { url } = await serve();
    const ok = await raw(`${url}/echo`, 'POST', Buffer.alloc(BODY_LIMIT));
    expect([ok.status, JSON.parse(ok.body)]).toEqual([202, { bytes: BODY_LIMIT, ip: '127.0.0.1' }]);
    const big = await raw(`${url}/echo`, 'POST', Buffer.alloc(BODY_LIMIT + 1));
    expect([big.status, JSON.parse(big.body)]).toEqual([
      413,
      {
        statusCode: 413,
        code: 'FST_ERR_CTP_BODY_TOO_LARGE',
        error: 'Payload Too Large',
        message: 'Request body is too large',
      },
    ]);
  });

  it('listen rejects when the port is taken; close resolves, and twice', async () => {
    const { router } = await serve();
    const other = new HttpRouter();
    await expect(other.listen({ host: '127.0.0.1', port: router.port()! })).rejects.toThrow(/EADDRINUSE/);
    await router.close();
    await router.close();
    await other.close();
  });

  it('inject answers as the socket does', async () => {
    const { router, url } = await serve();
    for (const path of ['/text', '/json?a=1', '/boom', '/nope']) {
      const viaSocket = await raw(url + path, 'GET');
      const injected = await router.inject({ method: 'GET', url: path });
      expect([injected.statusCode, injected.body, injected.headers['content-type']]).toEqual([
        viaSocket.status,
        viaSocket.body,
        viaSocket.headers['content-type'],
      ]);
    }
  });
});

describe('HttpRouter: hostile clients', () => {
  it('a body that trickles past the request timeout is cut off (no connection held forever)', async () => {
    const router = new HttpRouter();
    router.post('/echo', (req) => ({ status: 202, body: { bytes: req.body.length } }));
    await router.listen({ host: '127.0.0.1', port: 0, requestTimeoutMs: 300 });
    open.push(router);
    const { connect } = await import('node:net');
    const sock = connect(router.port()!, '127.0.0.1');
    let got = '';
    let closed = false;
    sock.on('data', (c: Buffer) => (got += c.toString()));
    sock.on('close', () => (closed = true));
    sock.on('error', () => undefined);
    sock.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab');
    const deadline = Date.now() + 8_000;
    while (!closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    sock.destroy();
    expect(closed).toBe(true);
    expect(got).not.toContain('202');
  }, 10_000);

  it('a reply that cannot be serialised answers 500 and the server keeps serving', async () => {
    const router = new HttpRouter();
    router.get('/bad', () => ({ status: 200, body: { n: 1n } }));
    router.get('/ok', () => ({ status: 200, body: { ok: true } }));
    await router.listen({ host: '127.0.0.1', port: 0 });
    open.push(router);
    const url = `http://127.0.0.1:${router.port()}`;
    expect((await raw(`${url}/bad`, 'GET')).status).toBe(500);
    expect((await raw(`${url}/ok`, 'GET')).status).toBe(200);
  });
});
