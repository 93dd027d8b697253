import { describe, expect, it } from 'vitest';
import { loadCompose } from '../../../reconciler/compose/load.js';
import { toSwarm } from '../../../reconciler/compose/to-swarm.js';
import { AggregateSwarmkeeperError } from '../../../reconciler/errors.js';
import { INSTANCE, OWNER, SECRET_HASH_KEY, memFiles } from './helpers.js';
import { loadError, svc } from './load-error.js';

describe('loadCompose: errors', () => {
  it('collects every problem into one AggregateSwarmkeeperError', () => {
    const err = loadError(svc('    deploy: {replicas: x, mode: y}'));
    expect(err).toBeInstanceOf(AggregateSwarmkeeperError);
    expect((err as AggregateSwarmkeeperError).errors.map((e) => e.message)).toEqual([
      'stack.yml:4: services.web.deploy.mode: expected one of: replicated, global, replicated-job, global-job',
      'stack.yml:4: services.web.deploy.replicas: expected an integer, got "x"',
    ]);
  });

  it('a healthcheck disabled with an empty test is no error (docker refuses only a test with words)', () => {
    const text = 'services:\n  web:\n    image: a\n    healthcheck: {disable: true, test: []}\n';
    expect(loadCompose({ file: 'stack.yml', text }, { env: {} }).services['web']?.healthcheck).toMatchObject({
      disable: true,
    });
  });

  it('omits the line for a parsed document', () => {
    expect(() =>
      loadCompose(
        { file: 'res.yaml', document: { services: { web: { image: 'a', deploy: { replicaz: 1 } } } } },
        { env: {} },
      ),
    ).toThrow(
      'res.yaml: services.web.deploy.replicaz: unknown key "replicaz"; supported keys: endpoint_mode, labels, mode, placement, replicas, resources, restart_policy, rollback_config, update_config',
    );
  });

  it('an unreadable config file names the file', () => {
    const project = loadCompose(
      { file: '/s/stack.yml', text: 'services: {}\nconfigs:\n  c: {file: ./c.txt}\n' },
      { env: {} },
    );
    expect(() =>
      toSwarm(
        { name: 'st', project },
        {
          owner: OWNER,
          instanceId: INSTANCE,
          files: memFiles({}),
          secretHashKey: SECRET_HASH_KEY,
        },
      ),
    ).toThrow(
      '/s/stack.yml: configs.c.file: cannot read "/s/c.txt": ENOENT: no such file or directory, open \'/s/c.txt\'',
    );
  });

  it('never puts a secret value into an error', () => {
    const err = loadError('services:\n  web:\n    image: a\n    deploy: {replicas: "${N}"}\n', {
      N: 'hunter2',
    });
    expect(err.message).toBe(
      'stack.yml:4: services.web.deploy.replicas: expected an integer, got "[redacted]"',
    );
  });
});

describe('loadCompose: booleans are only true and false (go-yaml v3, as docker/cli 28)', () => {
  it('explains an unquoted true/false where a string is expected', () => {
    expect(loadError('services:\n  web:\n    image: a\n    networks: [true]\n').message).toBe(
      'stack.yml:4: services.web.networks[0]: expected a string, got a boolean (quote it)',
    );
  });

  it('reads y/n/yes/no/on/off as strings', () => {
    const p = loadCompose(
      {
        file: 'stack.yml',
        text: 'services:\n  web:\n    image: a\n    environment: {A: yes, B: off, C: n}\n    read_only: yes\n',
      },
      { env: {}, files: memFiles({}) },
    );
    expect(p.services['web']?.environment).toEqual({ A: 'yes', B: 'off', C: 'n' });
    expect(p.services['web']?.read_only).toBe(true);
  });

  it('reads 0755 and 0o17 as octal, 0x1F as hex', () => {
    const p = loadCompose(
      {
        file: 'stack.yml',
        text: 'services:\n  web:\n    image: a\n    environment: {A: 0755, B: 0o17, C: 0x1F, D: "0o17"}\n',
      },
      { env: {}, files: memFiles({}) },
    );
    expect(p.services['web']?.environment).toEqual({ A: '493', B: '15', C: '31', D: '0o17' });
  });
});
