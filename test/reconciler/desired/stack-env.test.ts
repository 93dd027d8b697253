import { describe, expect, it } from 'vitest';
import { desiredFor } from '../../../reconciler/desired/desired-for.js';
import {
  allowedProcessEnv,
  checkAllowEnv,
  envAllowed,
  readDotEnv,
} from '../../../reconciler/desired/stack-env.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import { memFiles } from '../compose/helpers.js';
import { SECRET_HASH_KEY } from '../compose/helpers.js';

const VARS = { APP_TAG: '1', APP_DB: 'db', SWARMKEEPER_WEBHOOK_SECRET: 'hunter2-secret', HOME: '/root' };

describe('allowed process variables', () => {
  it.each([
    [['APP_TAG'], { APP_TAG: '1' }],
    [['APP_*'], { APP_TAG: '1', APP_DB: 'db' }],
    [[], {}],
    [['NOPE'], {}],
  ])('--allow-env %j', (allow, expected) => {
    expect(allowedProcessEnv({ vars: VARS, allow }, true)).toEqual(expected);
    expect(allowedProcessEnv({ vars: VARS, allow }, false)).toEqual(expected);
  });
  it('the CLI passes its whole shell, to plain compose files only (a SwarmStack uses spec.env)', () => {
    expect(allowedProcessEnv({ vars: VARS, allow: 'all' }, true)).toEqual(VARS);
    expect(allowedProcessEnv({ vars: VARS, allow: 'all' }, false)).toEqual({});
    expect(allowedProcessEnv(undefined, true)).toEqual({});
  });
  it('patterns', () => {
    expect(envAllowed('APP_X', ['APP_*'])).toBe(true);
    expect(envAllowed('APPX', ['APP_*'])).toBe(false);
    expect(checkAllowEnv(['A', 'B_*', '*'])).toEqual(['A', 'B_*', '*']);
    expect(() => checkAllowEnv(['A-B'])).toThrow(
      '--allow-env A-B: expected a variable name (APP_TOKEN) or a prefix ending in * (APP_*)',
    );
    expect(() => checkAllowEnv(['A*B'])).toThrow('--allow-env A*B');
  });
  it('.env beside the compose file; none is no variables; an unreadable one is an error', () => {
    expect(readDotEnv('web/c.yml', memFiles({ 'web/.env': 'A=1\n# c\nB=x=y\n' }))).toEqual({
      A: '1',
      B: 'x=y',
    });
    expect(readDotEnv('web/c.yml', memFiles({}))).toEqual({});
    const denied = {
      readText: () => {
        throw new Error('EACCES');
      },
      readBytes: () => new Uint8Array(),
    };
    expect(() => readDotEnv('web/c.yml', denied)).toThrow(
      'web/.env: cannot read the .env file beside web/c.yml: EACCES',
    );
  });
});

describe('stack interpolation sources (desiredFor)', () => {
  const compose =
    'services:\n  app:\n    image: img:${TAG}\n    environment:\n      W: ${SWARMKEEPER_WEBHOOK_SECRET}\n';
  const res = (spec: Record<string, unknown>, fromComposeFile = true): DesiredResource => ({
    key: 'SwarmStack/default/web',
    kind: 'SwarmStack',
    namespace: 'default',
    name: 'web',
    spec,
    origin: { file: 'web/docker-compose.yml' },
    baseDir: 'web',
    ...(fromComposeFile ? { fromComposeFile } : {}),
  });
  const files = memFiles({ 'web/docker-compose.yml': compose, 'web/.env': 'TAG=2\n' });

  it('the controller: .env, allowed variables, spec.env; never the rest of its environment', () => {
    const d = desiredFor(res({ composeFile: 'docker-compose.yml' }), {
      instanceId: 'i',
      files,
      secretHashKey: SECRET_HASH_KEY,
      env: { vars: { ...VARS, TAG: '9' }, allow: ['APP_*'] },
    });
    const json = JSON.stringify(d.desired);
    expect(json).toContain('"Image":"img:2"');
    expect(json).not.toContain('hunter2-secret');
    expect(d.warnings).toEqual([
      'web/docker-compose.yml:5: services.app.environment.W: variable SWARMKEEPER_WEBHOOK_SECRET is not set; substituting an empty string (as docker does)',
    ]);
  });
  it('precedence: spec.env over the process over .env', () => {
    const image = (spec: Record<string, unknown>, vars: Record<string, string>) =>
      JSON.stringify(
        desiredFor(res(spec), {
          instanceId: 'i',
          files,
          secretHashKey: SECRET_HASH_KEY,
          env: { vars, allow: 'all' },
        }).desired,
      ).match(/"Image":"([^"]+)"/)?.[1];
    expect(image({ composeFile: 'docker-compose.yml' }, {})).toBe('img:2');
    expect(image({ composeFile: 'docker-compose.yml' }, { TAG: '3' })).toBe('img:3');
    expect(image({ composeFile: 'docker-compose.yml', env: { TAG: '4' } }, { TAG: '3' })).toBe('img:4');
  });
});
