/** loadCompose's own checks: secret sources, env files, bind sources, credential specs, warnings. */
import { describe, expect, it } from 'vitest';
import { loadCompose, type LoadComposeOptions } from '../../../reconciler/compose/load.js';
import type { SwarmkeeperError } from '../../../reconciler/errors.js';
import { memFiles } from './helpers.js';

const FILE = '/s/stack.yml';
const svc = (body: string, top = ''): string => `services:\n  web:\n    image: a\n${body}\n${top}`;
const load = (text: string, opts: Partial<LoadComposeOptions> = {}) =>
  loadCompose({ file: FILE, text }, { env: {}, files: memFiles({}), ...opts });

function failure(text: string, opts: Partial<LoadComposeOptions> = {}): string {
  try {
    load(text, opts);
  } catch (e) {
    return `${(e as SwarmkeeperError).code} ${(e as Error).message}`;
  }
  throw new Error('expected the load to fail');
}

describe('loadCompose: secrets', () => {
  const given = { pw: new TextEncoder().encode('hunter2') };

  it('a secret reference fills a secret that declares no source', () => {
    const p = load('services: {}\nsecrets:\n  pw: {}\n', { secretValues: given });
    expect(new TextDecoder().decode(p.secrets['pw']?.refValue?.reveal())).toBe('hunter2');
    expect(JSON.stringify(p)).not.toContain('hunter2');
  });

  it.each([
    ['file', '{file: ./pw.txt}', 'file'],
    ['content', '{content: x}', 'content'],
    ['environment', '{environment: PW}', 'environment'],
    ['external', '{external: true}', 'external'],
  ])('a secret reference with its own %s is refused', (_k, decl, key) => {
    expect(
      failure(`services: {}\nsecrets:\n  pw: ${decl}\n`, { secretValues: given, env: { PW: 'x' } }),
    ).toBe(
      `SK_ERR_COMPOSE_INVALID ${FILE}:3: secrets.pw.${key}: the value comes from a secret reference (spec.secretRefs): remove ${key}`,
    );
  });

  it('a secret without any source and without a reference', () =>
    expect(failure('services: {}\nsecrets:\n  pw: {}\n')).toBe(
      `SK_ERR_COMPOSE_INVALID ${FILE}:3: secrets.pw: exactly one of file, content, environment or external: true is required`,
    ));

  it('a secret from an unset variable', () =>
    expect(failure('services: {}\nsecrets:\n  pw: {environment: NOPE}\n')).toBe(
      `SK_ERR_COMPOSE_INTERPOLATION ${FILE}:3: secrets.pw.environment: variable NOPE is not set`,
    ));

  it('an external secret needs nothing else', () =>
    expect(load('services: {}\nsecrets:\n  pw: {external: true}\n').secrets['pw']).toEqual({
      external: { external: true },
    }));
});

describe('loadCompose: env_file and environment', () => {
  it('without a file reader, an env_file is unreadable', () =>
    expect(failure(svc('    env_file: a.env'), { files: undefined })).toBe(
      `SK_ERR_FILE_UNREADABLE ${FILE}:4: services.web.env_file: cannot read env file "/s/a.env": no file reader is available`,
    ));

  it('a bad line names the file and the line, not the path twice', () =>
    expect(failure(svc('    env_file: a.env'), { files: memFiles({ '/s/a.env': 'A=1\nB C=2\n' }) })).toBe(
      `SK_ERR_FILE_UNREADABLE ${FILE}:4: services.web.env_file: cannot read env file "/s/a.env": line 2: variable "B C" contains whitespace`,
    ));

  it('environment wins over env_file; a bare name takes the env map or stays unset', () => {
    const p = load(svc('    env_file: [a.env]\n    environment: {A: mine, B: , C: }'), {
      env: { B: 'from-env' },
      files: memFiles({ '/s/a.env': 'A=file\nC=file\n' }),
    });
    expect(p.services['web']?.environment).toEqual({ A: 'mine', B: 'from-env', C: null });
  });
});

describe('loadCompose: bind sources', () => {
  it.each([
    ['./data', '/s/data'],
    ['./data/', '/s/data'],
    ['../up/', '/up'],
    ['/abs/', '/abs/'],
    ['.', '/s'],
  ])('%s -> %s', (source, want) => {
    const p = load(svc(`    volumes: [{type: bind, source: "${source}", target: /t}]`));
    expect(p.services['web']?.volumes?.[0]?.source).toBe(want);
  });

  it('~ is refused', () =>
    expect(failure(svc('    volumes: ["~/data:/d"]'))).toBe(
      `SK_ERR_COMPOSE_INVALID ${FILE}:4: services.web.volumes[0]: bind source "~/data": "~" is not supported; use an absolute path`,
    ));

  it('a relative bind source with bindRoot and a relative file name', () => {
    const p = loadCompose(
      { file: 'app/stack.yml', text: svc('    volumes: ["./d:/d"]') },
      { env: {}, files: memFiles({}), bindRoot: '/srv' },
    );
    expect(p.services['web']?.volumes?.[0]?.source).toBe('/srv/app/d');
  });

  it('no volumes key stays absent', () =>
    expect(load(svc('')).services['web']).not.toHaveProperty('volumes'));
});

describe('loadCompose: credential specs', () => {
  it.each([['{file: a, registry: b}', 'invalid credential spec: cannot specify both "File" and "Registry"']])(
    '%s',
    (cs, message) =>
      expect(failure(svc(`    credential_spec: ${cs}`))).toBe(
        `SK_ERR_COMPOSE_INVALID ${FILE}:4: services.web.credential_spec: ${message}`,
      ),
  );

  it('a config credential spec is refused', () =>
    expect(failure(svc('    credential_spec: {config: c}'))).toBe(
      `SK_ERR_COMPOSE_INVALID ${FILE}:4: services.web.credential_spec.config: a credential spec from a config is not supported by swarmkeeper; use file or registry`,
    ));
});

describe('loadCompose: warnings for what is not sent', () => {
  it('each ignored setting is named with its service and field', () => {
    const p = load(
      svc(
        '    healthcheck: {test: [CMD, x], start_interval: 1s}\n    oom_score_adj: 5\n' +
          '    networks: {n: {ipv4_address: 10.0.0.2, ipv6_address: "::2"}}\n    ports: ["127.0.0.1::80"]',
        'networks:\n  n: {}\n',
      ),
    );
    expect(p.warnings).toEqual([
      `${FILE}: services.web.healthcheck.start_interval: ignored: it needs Engine API 1.44 and swarmkeeper speaks 1.41 (a 1.41 daemon drops it from docker stack deploy too)`,
      `${FILE}: services.web.oom_score_adj: ignored: it needs Engine API 1.46 and swarmkeeper speaks 1.41 (a 1.41 daemon drops it from docker stack deploy too)`,
      `${FILE}: services.web.networks.n.ipv4_address: ignored, as docker stack deploy does (swarm assigns service addresses)`,
      `${FILE}: services.web.networks.n.ipv6_address: ignored, as docker stack deploy does (swarm assigns service addresses)`,
      `${FILE}: services.web.ports: host IP 127.0.0.1 is ignored; swarm publishes port 80 on all addresses`,
    ]);
  });

  it('a plain service has none', () => expect(load(svc('    ports: ["80:80"]')).warnings).toEqual([]));
});
