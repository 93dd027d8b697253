/**
 * Credentials of a git source, turned into the environment of the git processes.
 *
 * - SSH key: copied to a file of mode 600 in the source's work dir and used through
 *   GIT_SSH_COMMAND (`-i KEY -o IdentitiesOnly=yes`). Host keys: with knownHostsFile, only the
 *   hosts listed there are accepted (StrictHostKeyChecking=yes); without it, the first key seen
 *   is recorded in the work dir and must match afterwards (StrictHostKeyChecking=accept-new).
 * - Token: an `http.<scheme://host/>.extraHeader=Authorization: Basic|Bearer ...` setting, scoped
 *   to the repository's host. It is given through GIT_CONFIG_COUNT/KEY/VALUE, git's environment
 *   form of `-c`, so the header is neither in the URL nor in the process arguments (visible in ps).
 *
 * Secrets are read from their file or variable at every fetch (rotation needs no restart) and
 * never logged: `scrub` removes them from any text (git's stderr) before it is shown.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GitAuthSpec, SecretRef } from './git-spec.js';

export interface GitAuthEnv {
  env: Record<string, string>;
  /** Values that must never be shown (token, header, key text). */
  secrets: string[];
}

/** Variables passed through to git from the controller's environment (proxy, CA, ssh agent). */
const PASS_THROUGH = [
  'PATH',
  'HOME',
  'TMPDIR',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'GIT_SSL_CAINFO',
  'GIT_SSL_NO_VERIFY',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'SSH_AUTH_SOCK',
];

function describe(ref: SecretRef, what: string): string {
  return 'file' in ref ? `${what}File ${ref.file}` : `${what}Env ${ref.env}`;
}

/** Reads a secret; the error names the file or variable, never the value. */
export function readSecret(ref: SecretRef, what: string, env: NodeJS.ProcessEnv = process.env): string {
  if ('env' in ref) {
    const v = env[ref.env];
    if (v === undefined || v.trim() === '') throw new Error(`${describe(ref, what)} is not set or empty`);
    return v;
  }
  try {
    const v = readFileSync(ref.file, 'utf8');
    if (v.trim() === '') throw new Error('empty');
    return v;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'empty';
    throw new Error(`${describe(ref, what)}: cannot read (${code})`);
  }
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The origin (`scheme://host[:port]/`) a token header is scoped to. */
function headerScope(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}/`;
}

export function authorizationHeader(auth: GitAuthSpec, token: string): string {
  return auth.tokenScheme === 'bearer'
    ? `Authorization: Bearer ${token}`
    : `Authorization: Basic ${Buffer.from(`${auth.tokenUser}:${token}`).toString('base64')}`;
}

/**
 * The environment of every git process of one source. `sshDir` is a private folder of the
 * source's work dir (key file, recorded host keys).
 */
export function gitAuthEnv(
  url: string,
  auth: GitAuthSpec,
  sshDir: string,
  env: NodeJS.ProcessEnv = process.env,
): GitAuthEnv {
  const out: Record<string, string> = {};
  for (const k of PASS_THROUGH) if (env[k] !== undefined) out[k] = env[k]!;
  // Stable English messages (errors are classified on them); never prompt for anything.
  out['LC_ALL'] = 'C';
  out['GIT_TERMINAL_PROMPT'] = '0';
  out['GCM_INTERACTIVE'] = 'never';
  const secrets: string[] = [];
  const ssh = ['ssh', '-o', 'BatchMode=yes'];
  if (auth.knownHostsFile)
    ssh.push(
      '-o',
      `UserKnownHostsFile=${shellQuote(auth.knownHostsFile)}`,
      '-o',
      'StrictHostKeyChecking=yes',
    );
  else {
    mkdirSync(sshDir, { recursive: true, mode: 0o700 });
    ssh.push(
      '-o',
      `UserKnownHostsFile=${shellQuote(join(sshDir, 'known_hosts'))}`,
      '-o',
      'StrictHostKeyChecking=accept-new',
    );
  }
  if (auth.sshKey) {
    let key = readSecret(auth.sshKey, 'sshKey', env);
    if (!key.endsWith('\n')) key += '\n';
    secrets.push(key.trim());
    mkdirSync(sshDir, { recursive: true, mode: 0o700 });
    const keyFile = join(sshDir, 'id');
    if (existsSync(keyFile)) chmodSync(keyFile, 0o600);
    writeFileSync(keyFile, key, { mode: 0o600 });
    chmodSync(keyFile, 0o600);
    ssh.push('-i', shellQuote(keyFile), '-o', 'IdentitiesOnly=yes');
  }
  out['GIT_SSH_COMMAND'] = ssh.join(' ');
  if (auth.token && /^https?:\/\//.test(url)) {
    const token = readSecret(auth.token, 'token', env).trim();
    const header = authorizationHeader(auth, token);
    secrets.push(token, header, header.slice('Authorization: '.length), header.split(' ').pop()!);
    out['GIT_CONFIG_COUNT'] = '1';
    out['GIT_CONFIG_KEY_0'] = `http.${headerScope(url)}.extraHeader`;
    out['GIT_CONFIG_VALUE_0'] = header;
  }
  return { env: out, secrets };
}

/** Removes every secret from a text (longest first, so a header goes before the token inside it). */
export function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const s of [...secrets].filter((x) => x.length >= 4).sort((a, b) => b.length - a.length))
    out = out.split(s).join('[redacted]');
  return out;
}
