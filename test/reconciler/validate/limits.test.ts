import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, parseLimits } from '../../../reconciler/validate/limits.js';
import { FILE, memFiles } from '../compose/helpers.js';
import { loadCompose } from '../../../reconciler/compose/load.js';
import { checkLimits } from '../../../reconciler/validate/limits.js';
import { AggregateSwarmkeeperError } from '../../../reconciler/errors.js';

function problemsOf(text: string, limits = DEFAULT_LIMITS): string[] {
  try {
    loadCompose(
      { file: FILE, text },
      { env: {}, files: memFiles({}), checks: [(p, problems) => checkLimits(p, limits, problems)] },
    );
    return [];
  } catch (e) {
    return (e as AggregateSwarmkeeperError).errors.map((x) => `${x.code} ${x.message}`);
  }
}

describe('parseLimits', () => {
  it('raises the named bounds and keeps the others', () => {
    expect(parseLimits('replicas=5000,bytes=4t,duration=87600h')).toEqual({
      ...DEFAULT_LIMITS,
      replicas: 5000,
      bytes: 4 * 1024 ** 4,
      durationNs: 87600 * 3600e9,
    });
  });
  it.each([
    ['replica=5', '"replica=5" is not KEY=VALUE with KEY one of replicas, replicasPerNode,'],
    ['replicas', '"replicas" is not KEY=VALUE'],
    ['replicas=-1', 'replicas=-1: expected a non-negative integer'],
    ['replicas=1e3', 'replicas=1e3: expected a non-negative integer'],
    ['bytes=lots', 'bytes=lots: expected a byte size such as 4t'],
    ['duration=1y', 'duration=1y: expected a duration such as 87600h'],
  ])('%s fails', (text, message) => expect(() => parseLimits(text)).toThrow(message));
});

describe('checkLimits', () => {
  const svc = (body: string) => `services:\n  s:\n    image: img:1\n${body}`;
  it.each([
    [
      'replicas',
      svc('    deploy:\n      replicas: 1001\n'),
      'services.s.deploy.replicas: replicas 1001 is above the bound 1000 (raise it with --limits replicas=N)',
    ],
    [
      'parallelism',
      svc('    deploy:\n      rollback_config:\n        parallelism: 1001\n'),
      'parallelism 1001 is above the bound 1000',
    ],
    [
      'tmpfs size',
      svc('    volumes:\n      - type: tmpfs\n        target: /t\n        tmpfs:\n          size: 2t\n'),
      'services.s.volumes[0].tmpfs.size: the size 2199023255552 bytes is above the bound 1099511627776 bytes',
    ],
    [
      'stop_grace_period',
      svc('    stop_grace_period: 8761h\n'),
      'the duration 8761h is above the bound 8760h (raise it with --limits duration=N)',
    ],
    [
      'networks',
      `${svc(`    networks: [${Array.from({ length: 51 }, (_, i) => `n${i}`).join(', ')}]\n`)}networks:\n${Array.from({ length: 51 }, (_, i) => `  n${i}: {}\n`).join('')}`,
      'the number of networks 51 is above the bound 50',
    ],
    [
      'mounts',
      svc(`    volumes:\n${Array.from({ length: 101 }, (_, i) => `      - /srv/${i}:/m${i}\n`).join('')}`),
      'the number of mounts 101 is above the bound 100',
    ],
  ])('%s', (_n, text, message) => {
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('SK_ERR_LIMIT_EXCEEDED');
    expect(problems[0]).toContain(message);
  });

  it('a raised bound accepts what the default refuses', () => {
    const text = svc('    deploy:\n      replicas: 5000\n');
    expect(problemsOf(text)).toHaveLength(1);
    expect(problemsOf(text, parseLimits('replicas=5000'))).toEqual([]);
  });
});
