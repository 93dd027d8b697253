import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_SOCKET,
  dockerFromEnv,
  resolveConnection,
  resolveEndpoint,
  type Env,
} from '../../../controllers/docker/connection.js';
import { errorOf } from '../../support/error-of.js';

const root = mkdtempSync(join(tmpdir(), 'sk-conn-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function home(): string {
  const dir = join(root, `home${n++}`);
  mkdirSync(join(dir, '.docker'), { recursive: true });
  return dir;
}

function certDir(files: string[] = ['ca.pem', 'cert.pem', 'key.pem']): string {
  const dir = join(root, `certs${n++}`);
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f), `-----${f}-----`);
  return dir;
}

function addContext(
  h: string,
  name: string,
  host: string,
  opts: { tls?: boolean; skip?: boolean } = {},
): void {
  const hash = createHash('sha256').update(name).digest('hex');
  const meta = join(h, '.docker', 'contexts', 'meta', hash);
  mkdirSync(meta, { recursive: true });
  const endpoint = { Host: host, SkipTLSVerify: opts.skip ?? false };
  writeFileSync(
    join(meta, 'meta.json'),
    JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: endpoint } }),
  );
  if (opts.tls) {
    const tls = join(h, '.docker', 'contexts', 'tls', hash, 'docker');
    mkdirSync(tls, { recursive: true });
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(tls, f), `ctx-${f}`);
  }
}

describe('resolveEndpoint', () => {
  const h = home();
  it.each<[string, Env, object]>([
    [
      'no DOCKER_HOST -> default socket',
      { HOME: h },
      { kind: 'unix', socketPath: DEFAULT_SOCKET, source: 'default' },
    ],
    [
      'unix socket',
      { HOME: h, DOCKER_HOST: 'unix:///run/x.sock' },
      { kind: 'unix', socketPath: '/run/x.sock' },
    ],
    [
      'unix:// without path -> default',
      { HOME: h, DOCKER_HOST: 'unix://' },
      { kind: 'unix', socketPath: DEFAULT_SOCKET },
    ],
    [
      'tcp with TLS and cert path',
      { HOME: h, DOCKER_HOST: 'tcp://10.0.0.1:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' },
      { kind: 'tcp', host: '10.0.0.1', port: 2376, tls: { certDir: '/certs' } },
    ],
    [
      'tcp with TLS defaults cert path to ~/.docker',
      { HOME: h, DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1' },
      { kind: 'tcp', tls: { certDir: join(h, '.docker') } },
    ],
    [
      'DOCKER_CONFIG moves the default cert path',
      { HOME: h, DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CONFIG: '/cfg' },
      { kind: 'tcp', tls: { certDir: '/cfg' } },
    ],
    [
      'plain tcp allowed by env',
      { HOME: h, DOCKER_HOST: 'tcp://h:2375', SWARMKEEPER_ALLOW_INSECURE_TCP: '1' },
      { kind: 'tcp', host: 'h', port: 2375, source: 'DOCKER_HOST' },
    ],
    [
      'tcp without port -> 2376',
      { HOME: h, DOCKER_HOST: 'tcp://h', SWARMKEEPER_ALLOW_INSECURE_TCP: '1' },
      { port: 2376 },
    ],
  ])('%s', (_name, env, expected) => {
    expect(resolveEndpoint(env)).toMatchObject(expected);
  });

  it('allowInsecureTcp option allows plain tcp, without TLS', () => {
    const ep = resolveEndpoint({ HOME: h, DOCKER_HOST: 'tcp://h:2375' }, { allowInsecureTcp: true });
    expect(ep).toMatchObject({ kind: 'tcp', port: 2375 });
    expect(ep).not.toHaveProperty('tls');
    const r = resolveConnection({ HOME: h, DOCKER_HOST: 'tcp://h:2375' }, { allowInsecureTcp: true });
    expect(r.options).toMatchObject({ protocol: 'http', ca: undefined, key: undefined });
    expect(r.description).toBe('tcp://h:2375 (INSECURE plain TCP, explicitly allowed; DOCKER_HOST)');
  });

  it.each<[string, Env, string]>([
    [
      'plain tcp refused',
      { HOME: h, DOCKER_HOST: 'tcp://h:2375' },
      'DOCKER_HOST=tcp://h:2375 is plain TCP without TLS: anyone who can reach that port controls the Docker daemon ' +
        '(root on the host). Use TLS (DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH with ca.pem, cert.pem, key.pem), ' +
        'a unix socket, or set SWARMKEEPER_ALLOW_INSECURE_TCP=1 to allow it explicitly',
    ],
    [
      'DOCKER_TLS_VERIFY=0 is not TLS',
      { HOME: h, DOCKER_HOST: 'tcp://h:2375', DOCKER_TLS_VERIFY: '0' },
      'DOCKER_HOST=tcp://h:2375 is plain TCP without TLS',
    ],
    [
      'ssh unsupported',
      { HOME: h, DOCKER_HOST: 'ssh://me@h' },
      'DOCKER_HOST=ssh://me@h uses the unsupported scheme ssh://; supported are unix:// and tcp://',
    ],
    [
      'garbage',
      { HOME: h, DOCKER_HOST: 'h:2375' },
      'DOCKER_HOST=h:2375 is not a valid address; expected unix:///path/to/docker.sock or tcp://HOST:PORT',
    ],
  ])('%s', (_name, env, message) => {
    const err = errorOf(() => resolveEndpoint(env));
    expect(err.code).toBe('SK_ERR_CONNECTION_CONFIG');
    expect(err.message.startsWith(message)).toBe(true);
  });
});

describe('TLS files', () => {
  it('reads ca, cert and key from DOCKER_CERT_PATH and describes without key material', () => {
    const dir = certDir();
    const r = resolveConnection({
      DOCKER_HOST: 'tcp://10.0.0.1:2376',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: dir,
    });
    expect(r.options).toMatchObject({ host: '10.0.0.1', port: 2376, protocol: 'https', version: 'v1.41' });
    expect(r.options.ca?.toString()).toBe('-----ca.pem-----');
    expect(r.options.cert?.toString()).toBe('-----cert.pem-----');
    expect(r.options.key?.toString()).toBe('-----key.pem-----');
    expect(r.description).toBe(`tcp://10.0.0.1:2376 (TLS, certificates in ${dir}; DOCKER_HOST)`);
    expect(r.description).not.toContain('-----');
  });

  it.each(['ca.pem', 'cert.pem', 'key.pem'])('names the missing %s', (missing) => {
    const dir = certDir(['ca.pem', 'cert.pem', 'key.pem'].filter((f) => f !== missing));
    const err = errorOf(() =>
      resolveConnection({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir }),
    );
    expect(err).toEqual({
      code: 'SK_ERR_CONNECTION_CONFIG',
      message: `TLS file ${join(dir, missing)} is missing; DOCKER_HOST needs ca.pem, cert.pem and key.pem in ${dir}`,
    });
  });

  it('unix options pin API v1.41 and clear tcp defaults', () => {
    const r = resolveConnection({ DOCKER_HOST: 'unix:///run/d.sock' });
    expect(r.options).toMatchObject({ socketPath: '/run/d.sock', host: undefined, version: 'v1.41' });
    expect(r.description).toBe('unix:///run/d.sock (DOCKER_HOST)');
  });

  it('dockerFromEnv builds a dockerode client on the socket', () => {
    const { docker, description } = dockerFromEnv({ DOCKER_HOST: 'unix:///run/d.sock' });
    const modem = docker.modem as unknown as { socketPath: string; version: string; host?: string };
    expect(modem).toMatchObject({ socketPath: '/run/d.sock', version: 'v1.41' });
    expect(modem.host).toBeUndefined();
    expect(description).toBe('unix:///run/d.sock (DOCKER_HOST)');
  });
});

describe('docker contexts', () => {
  it.each<[string, (h: string) => Env, object]>([
    [
      'DOCKER_CONTEXT with a unix host',
      (h) => (addContext(h, 'local', 'unix:///ctx.sock'), { HOME: h, DOCKER_CONTEXT: 'local' }),
      { kind: 'unix', socketPath: '/ctx.sock', source: 'context local' },
    ],
    [
      'currentContext in config.json with TLS dir',
      (h) => {
        addContext(h, 'remote', 'tcp://10.1.1.1:2376', { tls: true });
        writeFileSync(join(h, '.docker', 'config.json'), JSON.stringify({ currentContext: 'remote' }));
        return { HOME: h };
      },
      { kind: 'tcp', host: '10.1.1.1', port: 2376, source: 'context remote' },
    ],
    [
      'DOCKER_HOST wins over DOCKER_CONTEXT',
      (h) => (
        addContext(h, 'local', 'unix:///ctx.sock'),
        { HOME: h, DOCKER_CONTEXT: 'local', DOCKER_HOST: 'unix:///h.sock' }
      ),
      { socketPath: '/h.sock', source: 'DOCKER_HOST' },
    ],
    [
      'context "default" means the default socket',
      (h) => ({ HOME: h, DOCKER_CONTEXT: 'default' }),
      { socketPath: DEFAULT_SOCKET, source: 'default' },
    ],
  ])('%s', (_name, setup, expected) => {
    expect(resolveEndpoint(setup(home()))).toMatchObject(expected);
  });

  it('reads TLS material from the context tls dir', () => {
    const h = home();
    addContext(h, 'remote', 'tcp://10.1.1.1:2376', { tls: true });
    const r = resolveConnection({ HOME: h, DOCKER_CONTEXT: 'remote' });
    expect(r.options.key?.toString()).toBe('ctx-key.pem');
    const hash = createHash('sha256').update('remote').digest('hex');
    expect(r.description).toBe(
      `tcp://10.1.1.1:2376 (TLS, certificates in ${join(h, '.docker', 'contexts', 'tls', hash, 'docker')}; context remote)`,
    );
  });

  it.each<[string, (h: string) => Env, (h: string) => string]>([
    [
      'unknown context',
      (h) => ({ HOME: h, DOCKER_CONTEXT: 'nope' }),
      (h) =>
        `docker context "nope" (from DOCKER_CONTEXT) not found: ${join(h, '.docker', 'contexts', 'meta', createHash('sha256').update('nope').digest('hex'), 'meta.json')} does not exist`,
    ],
    [
      'tcp context without TLS dir',
      (h) => (addContext(h, 'plain', 'tcp://h:2375'), { HOME: h, DOCKER_CONTEXT: 'plain' }),
      () => 'docker context "plain" host=tcp://h:2375 is plain TCP without TLS',
    ],
    [
      'SkipTLSVerify',
      (h) => (addContext(h, 'skip', 'tcp://h:2376', { skip: true }), { HOME: h, DOCKER_CONTEXT: 'skip' }),
      () => 'docker context "skip" sets SkipTLSVerify; swarmkeeper only connects with verified TLS',
    ],
  ])('%s', (_name, setup, message) => {
    const h = home();
    const err = errorOf(() => resolveEndpoint(setup(h)));
    expect(err.code).toBe('SK_ERR_CONNECTION_CONFIG');
    expect(err.message.startsWith(message(h))).toBe(true);
  });
});
