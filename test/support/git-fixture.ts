/**
 * Real git repositories for the git source tests: a bare "server" repository, a working clone
 * that commits and pushes (force-push too), and a non-file transport on loopback: `git http-backend`
 * (smart HTTP) behind a tiny node HTTP server that checks a token.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'sk test',
  GIT_AUTHOR_EMAIL: 'sk@test.invalid',
  GIT_COMMITTER_NAME: 'sk test',
  GIT_COMMITTER_EMAIL: 'sk@test.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  LC_ALL: 'C',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: GIT_ENV,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

export class GitFixture {
  readonly root: string;
  /** The bare repository ("the server"). */
  readonly bare: string;
  /** The working clone that commits and pushes. */
  readonly work: string;

  constructor(name = 'repo') {
    this.root = mkdtempSync(join(tmpdir(), 'sk-gitfx-'));
    this.bare = join(this.root, 'srv', `${name}.git`);
    this.work = join(this.root, 'work');
    mkdirSync(this.bare, { recursive: true });
    git(this.bare, 'init', '--bare', '--quiet', '--initial-branch=main');
    git(this.root, 'clone', '--quiet', this.bare, this.work);
    git(this.work, 'checkout', '--quiet', '-B', 'main');
  }

  get fileUrl(): string {
    return `file://${this.bare}`;
  }

  /** Writes (string) or deletes (null) files in the working clone, then commits everything. */
  commit(files: Record<string, string | null>, message = 'change'): string {
    for (const [path, text] of Object.entries(files)) {
      const abs = join(this.work, path);
      if (text === null) rmSync(abs, { recursive: true, force: true });
      else {
        mkdirSync(dirname(abs), { recursive: true });
        writeFileSync(abs, text);
      }
    }
    git(this.work, 'add', '--all');
    git(this.work, 'commit', '--quiet', '--allow-empty', '-m', message);
    return this.head();
  }

  head(): string {
    return git(this.work, 'rev-parse', 'HEAD');
  }

  push(branch = 'main'): void {
    git(this.work, 'push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`);
  }

  /** Moves the current branch to `sha` (history rewrite) and force-pushes it. */
  forcePush(sha: string, branch = 'main'): void {
    git(this.work, 'reset', '--quiet', '--hard', sha);
    git(this.work, 'push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`);
  }

  tag(name: string, sha = this.head(), annotated = true): void {
    if (annotated) git(this.work, 'tag', '--force', '-a', '-m', name, name, sha);
    else git(this.work, 'tag', '--force', name, sha);
    git(this.work, 'push', '--quiet', '--force', 'origin', `refs/tags/${name}`);
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface HttpGitServer {
  url: (repo: string) => string;
  /** Authorization headers received (to assert the token went in a header). */
  authHeaders: (string | undefined)[];
  /** Request URLs received (to assert the token was never in a URL). */
  urls: string[];
  close: () => Promise<void>;
}

/**
 * `git http-backend` (smart HTTP) behind node's http server on 127.0.0.1. With `token`, requests
 * without `Authorization: Basic base64(user:token)` or `Bearer token` get 401.
 */
export async function httpGitServer(
  projectRoot: string,
  opts: { token?: string } = {},
): Promise<HttpGitServer> {
  const authHeaders: (string | undefined)[] = [];
  const urls: string[] = [];
  const accepted = (h: string | undefined): boolean => {
    if (!opts.token) return true;
    if (h === `Bearer ${opts.token}`) return true;
    const m = /^Basic (.+)$/.exec(h ?? '');
    return !!m && Buffer.from(m[1]!, 'base64').toString().split(':').slice(1).join(':') === opts.token;
  };
  const server: Server = createServer((req, res) => {
    authHeaders.push(req.headers.authorization);
    urls.push(req.url ?? '');
    if (!accepted(req.headers.authorization)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end('unauthorized');
      return;
    }
    const u = new URL(req.url ?? '/', 'http://x');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        ...GIT_ENV,
        GIT_PROJECT_ROOT: projectRoot,
        GIT_HTTP_EXPORT_ALL: '1',
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(u.pathname),
        QUERY_STRING: u.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        REMOTE_ADDR: '127.0.0.1',
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
        ...(req.headers['content-encoding']
          ? { HTTP_CONTENT_ENCODING: String(req.headers['content-encoding']) }
          : {}),
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    req.pipe(cgi.stdin!);
    let buf = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout!.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of buf.subarray(0, end).toString().split('\r\n')) {
        const i = line.indexOf(':');
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = Number(v.split(' ')[0]);
        else headers[k] = v;
      }
      res.writeHead(status, headers);
      res.write(buf.subarray(end + 4));
    });
    cgi.once('close', () => res.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  return {
    url: (repo) => `http://127.0.0.1:${port}/${repo}`,
    authHeaders,
    urls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** GitHub's `X-Hub-Signature-256` value for a body. */
export function githubSignature(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** A minimal GitHub push event for a repository URL. */
export function githubPushPayload(cloneUrl: string, after: string, before = '0'.repeat(40)): string {
  return JSON.stringify({
    ref: 'refs/heads/main',
    before,
    after,
    repository: { full_name: 'lab/repo', clone_url: cloneUrl, ssh_url: cloneUrl, html_url: cloneUrl },
  });
}
