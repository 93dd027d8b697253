import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GIT_INTERVAL_MS,
  GIT_KEYS,
  type GitSourceSpec,
  createSource,
  parseSourceSpec,
  parseSourceSpecs,
} from '../../../controllers/sources/source-spec.js';
import { createLogger } from '../../../controllers/observability/logger.js';

const auth = { tokenScheme: 'basic', tokenUser: 'x-access-token' };

describe('parseSourceSpec: valid specs', () => {
  it.each<[string, Record<string, unknown>]>([
    ['dir=./stacks', { type: 'dir', path: './stacks' }],
    ['dir=/srv/stacks,name=local', { type: 'dir', path: '/srv/stacks', name: 'local' }],
    [
      'dir=./stacks,policy=/etc/sk/policy.yaml',
      { type: 'dir', path: './stacks', policy: '/etc/sk/policy.yaml' },
    ],
    [
      'git=file:///srv/repo.git,policy=/etc/sk/git.yaml',
      {
        type: 'git',
        url: 'file:///srv/repo.git',
        transport: 'file',
        name: 'git:repo',
        ref: { kind: 'default' },
        path: '',
        intervalMs: DEFAULT_GIT_INTERVAL_MS,
        auth,
        policy: '/etc/sk/git.yaml',
      },
    ],
    [
      'git=file:///srv/repo.git',
      {
        type: 'git',
        url: 'file:///srv/repo.git',
        transport: 'file',
        name: 'git:repo',
        ref: { kind: 'default' },
        path: '',
        intervalMs: DEFAULT_GIT_INTERVAL_MS,
        auth,
      },
    ],
    [
      'git=file:///srv/repo.git,branch=main,path=stacks,interval=30s,name=infra,tokenFile=/run/secrets/t',
      undefined as never,
    ],
    [
      'git=https://git.example.com/org/infra.git,branch=release/v2,path=./stacks/prod/,interval=5m,name=infra,tokenFile=/run/secrets/t',
      {
        type: 'git',
        url: 'https://git.example.com/org/infra.git',
        transport: 'https',
        name: 'infra',
        ref: { kind: 'branch', name: 'release/v2' },
        path: 'stacks/prod',
        intervalMs: 300_000,
        auth: { ...auth, token: { file: '/run/secrets/t' } },
      },
    ],
    [
      'git=https://gitlab.example.com/g/p,tag=v1.2.0,tokenEnv=GL_TOKEN,tokenUser=oauth2',
      {
        name: 'git:p',
        ref: { kind: 'tag', name: 'v1.2.0' },
        auth: { tokenScheme: 'basic', tokenUser: 'oauth2', token: { env: 'GL_TOKEN' } },
      },
    ],
    [
      'git=https://h.example/r.git,commit=0123abc,tokenEnv=T,tokenScheme=bearer',
      {
        ref: { kind: 'commit', sha: '0123abc' },
        auth: { tokenScheme: 'bearer', tokenUser: 'x-access-token', token: { env: 'T' } },
      },
    ],
    [
      'git=ssh://git@h.example:2222/org/r.git,sshKeyFile=/k/id,knownHostsFile=/k/known',
      { transport: 'ssh', auth: { ...auth, sshKey: { file: '/k/id' }, knownHostsFile: '/k/known' } },
    ],
    [
      'git=git@github.com:org/stacks.git,sshKeyEnv=DEPLOY_KEY',
      { transport: 'ssh', name: 'git:stacks', auth: { ...auth, sshKey: { env: 'DEPLOY_KEY' } } },
    ],
    ['git=http://127.0.0.1:8080/r.git', { transport: 'http' }],
    ['git=file:///r.git,path=a/../b', { path: 'b' }],
    ['git=file:///r.git,path=.', { path: '', name: 'git:r' }],
    ['git=file:///r.git,path=stacks', { name: 'git:r/stacks' }],
    [' git = file:///r.git , branch = main ', { ref: { kind: 'branch', name: 'main' } }],
  ])('%s', (spec, expected) => {
    const parsed = parseSourceSpec(spec);
    if (expected) expect(parsed).toMatchObject(expected);
    else expect((parsed as GitSourceSpec).auth.token).toEqual({ file: '/run/secrets/t' });
  });
});

describe('parseSourceSpec: errors name the spec, the key and what is supported', () => {
  it.each<[string, string]>([
    [
      '',
      '--source : expected TYPE=VALUE where TYPE is dir or git (e.g. dir=./stacks or git=https://host/repo.git,branch=main)',
    ],
    [
      './stacks',
      '--source ./stacks: expected TYPE=VALUE where TYPE is dir or git (e.g. dir=./stacks or git=https://host/repo.git,branch=main)',
    ],
    ['svn=http://x', '--source svn=http://x: unknown source type "svn"; supported: dir, git'],
    ['dir=', '--source dir=: dir needs a value (e.g. dir=./stacks)'],
    ['git=', '--source git=: git needs a value (e.g. git=https://host/repo.git)'],
    [
      'git=file:///r.git,brnach=main',
      `--source git=file:///r.git,brnach=main: unknown key "brnach" for a git source; supported keys: ${GIT_KEYS.join(', ')}`,
    ],
    [
      'dir=x,branch=main',
      '--source dir=x,branch=main: unknown key "branch" for a dir source; supported keys: name, policy',
    ],
    [
      'git=file:///r.git,main',
      '--source git=file:///r.git,main: "main" is not KEY=VALUE (values cannot contain commas)',
    ],
    ['git=file:///r.git,branch=', '--source git=file:///r.git,branch=: branch needs a value'],
    ['git=file:///r.git,path=a,path=b', '--source git=file:///r.git,path=a,path=b: path is given twice'],
    [
      'git=file:///r.git,branch=main,tag=v1',
      '--source git=file:///r.git,branch=main,tag=v1: branch, tag and commit are mutually exclusive (got branch and tag)',
    ],
    [
      'git=file:///r.git,commit=XYZ',
      '--source git=file:///r.git,commit=XYZ: commit "XYZ" must be 7 to 40 lowercase hex digits',
    ],
    [
      'git=file:///r.git,branch=a..b',
      '--source git=file:///r.git,branch=a..b: branch "a..b" is not a valid git ref name',
    ],
    [
      'git=file:///r.git,path=/abs',
      '--source git=file:///r.git,path=/abs: path "/abs" must be relative to the repository root',
    ],
    [
      'git=file:///r.git,path=a/../../x',
      '--source git=file:///r.git,path=a/../../x: path "a/../../x" leaves the repository',
    ],
    [
      'git=file:///r.git,interval=soon',
      '--source git=file:///r.git,interval=soon: interval "soon" is not a duration (use e.g. 30s, 5m, 1h)',
    ],
    [
      'git=file:///r.git,interval=500ms',
      '--source git=file:///r.git,interval=500ms: interval "500ms" is shorter than 1s',
    ],
    [
      'git=ftp://h/r.git',
      '--source git=ftp://h/r.git: unsupported URL scheme "ftp:"; supported: file://, ssh://, https:// (and user@host:path for ssh)',
    ],
    [
      'git=not a url',
      '--source git=not a url: "not a url" is not a URL; supported: file://, ssh://, https:// (and user@host:path for ssh)',
    ],
    [
      'git=http://git.example.com/r.git',
      '--source git=http://git.example.com/r.git: plain http:// is only allowed to a loopback host (tests); use https:// for git.example.com',
    ],
    [
      'git=https://u:s3cret@h.example/r.git',
      '--source git=https://***@h.example/r.git: the URL holds a password; put the token in tokenFile or tokenEnv instead',
    ],
    [
      'git=https://u@h.example/r.git',
      '--source git=https://***@h.example/r.git: the URL holds a user name; https credentials go in tokenFile or tokenEnv (tokenUser)',
    ],
    [
      'git=https://h.example/r.git,tokenFile=/a,tokenEnv=B',
      '--source git=https://h.example/r.git,tokenFile=/a,tokenEnv=B: tokenFile and tokenEnv are mutually exclusive',
    ],
    [
      'git=https://h.example/r.git,tokenEnv=1X',
      '--source git=https://h.example/r.git,tokenEnv=1X: tokenEnv "1X" is not an environment variable name',
    ],
    [
      'git=https://h.example/r.git,sshKeyFile=/k',
      '--source git=https://h.example/r.git,sshKeyFile=/k: sshKeyFile/sshKeyEnv needs an ssh:// or user@host:path URL',
    ],
    [
      'git=file:///r.git,knownHostsFile=/k',
      '--source git=file:///r.git,knownHostsFile=/k: knownHostsFile needs an ssh:// or user@host:path URL',
    ],
    [
      'git=ssh://h/r.git,tokenFile=/t',
      '--source git=ssh://h/r.git,tokenFile=/t: tokenFile/tokenEnv need an https:// URL (ssh uses sshKeyFile/sshKeyEnv)',
    ],
    [
      'git=https://h.example/r.git,tokenFile=/t,tokenScheme=digest',
      '--source git=https://h.example/r.git,tokenFile=/t,tokenScheme=digest: tokenScheme "digest" is not supported; use basic or bearer',
    ],
    [
      'git=https://h.example/r.git,tokenUser=me',
      '--source git=https://h.example/r.git,tokenUser=me: tokenScheme/tokenUser need tokenFile or tokenEnv',
    ],
    [
      'git=https://h.example/r.git,tokenEnv=T,tokenScheme=bearer,tokenUser=me',
      '--source git=https://h.example/r.git,tokenEnv=T,tokenScheme=bearer,tokenUser=me: tokenUser applies to tokenScheme=basic only',
    ],
    [
      'git=file:///r.git,name=-x',
      "--source git=file:///r.git,name=-x: name \"-x\" must start with a letter or digit and use only letters, digits, '_', '.', ':' and '-'",
    ],
  ])('%j', (spec, message) => {
    expect(() => parseSourceSpec(spec)).toThrow(message);
    let caught: Error | undefined;
    try {
      parseSourceSpec(spec);
    } catch (e) {
      caught = e as Error;
    }
    expect(caught?.message).toBe(message);
  });
});

describe('parseSourceSpecs', () => {
  it('refuses two sources with one name and says how to fix it', () => {
    expect(() => parseSourceSpecs(['git=file:///a/r.git', 'git=file:///b/r.git'])).toThrow(
      '--source git=file:///b/r.git: the source name "git:r" is already used by --source git=file:///a/r.git; set name=NAME on one of them',
    );
  });

  it('accepts distinct names', () => {
    expect(
      parseSourceSpecs(['git=file:///a/r.git,name=a', 'git=file:///b/r.git', 'dir=./x']).map((s) => s.type),
    ).toEqual(['git', 'git', 'dir']);
  });
});

describe('createSource', () => {
  const deps = { logger: createLogger({ level: 'silent' }), workDir: '/tmp/sk-unused' };

  it.each<[string, NodeJS.ProcessEnv, string]>([
    [
      'git=https://h.example/r.git,name=s,tokenEnv=SK_NOPE',
      {},
      '--source s: tokenEnv SK_NOPE is not set or empty',
    ],
    [
      'git=https://h.example/r.git,name=s,tokenFile=/nonexistent/t',
      {},
      '--source s: tokenFile /nonexistent/t: cannot read (ENOENT)',
    ],
    [
      'git=ssh://h.example/r.git,name=s,sshKeyEnv=K',
      { K: ' ' },
      '--source s: sshKeyEnv K is not set or empty',
    ],
  ])('fails at start when a credential is missing: %s', (spec, env, message) => {
    expect(() => createSource(parseSourceSpec(spec), { ...deps, env })).toThrow(message);
  });

  it('builds a dir source and a git source', () => {
    expect(createSource(parseSourceSpec('dir=./x,name=local'), deps).name).toBe('local');
    expect(createSource(parseSourceSpec('git=file:///r.git'), deps).name).toBe('git:r');
  });
});
