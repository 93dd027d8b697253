import { describe, expect, it } from 'vitest';
import { desiredFor } from '../../../reconciler/desired/desired-for.js';
import { observeQuery, settled } from '../../../reconciler/desired/observe-query.js';
import type { Condition } from '../../../reconciler/status/conditions.js';
import type { ResourceStatus } from '../../../reconciler/status/resource-status.js';
import { memFiles, SECRET_HASH_KEY } from '../compose/helpers.js';

const condition = (type: Condition['type'], status: Condition['status'], reason: string): Condition => ({
  type,
  status,
  reason,
  message: '',
  lastTransitionTime: '2026-12-06T00:00:00Z',
});

const status = (desiredHash: string | undefined, ...conditions: Condition[]): ResourceStatus => ({
  conditions,
  ...(desiredHash === undefined ? {} : { desiredHash }),
});

describe('settled: this desired state applied, and no error or block since', () => {
  it.each<[string, ResourceStatus | undefined, boolean]>([
    ['no status yet', undefined, false],
    ['never applied', status(undefined, condition('Ready', 'True', 'ReconciliationSucceeded')), false],
    [
      'another desired state applied',
      status('h0', condition('Ready', 'True', 'ReconciliationSucceeded')),
      false,
    ],
    ['applied and in sync', status('h1', condition('Ready', 'True', 'ReconciliationSucceeded')), true],
    ['applied, rollout progressing', status('h1', condition('Ready', 'False', 'Progressing')), true],
    ['applied, Swarm rolled it back', status('h1', condition('Ready', 'False', 'RolledBack')), true],
    ['applied, rollout paused', status('h1', condition('Ready', 'False', 'RolloutPaused')), true],
    ['the last reconcile failed', status('h1', condition('Ready', 'False', 'DockerUnavailable')), false],
    // startedStatus hides how the reconcile before it ended
    ['a new generation being reconciled', status('h1', condition('Ready', 'Unknown', 'Progressing')), false],
    [
      'a blocked change (ownership conflict)',
      status(
        'h1',
        condition('Ready', 'False', 'OwnershipConflict'),
        condition('Stalled', 'True', 'OwnershipConflict'),
      ),
      false,
    ],
    ['no Ready condition', status('h1'), false],
  ])('%s', (_n, prev, expected) => {
    expect(settled(prev, 'h1')).toBe(expected);
  });
});

describe('observeQuery', () => {
  const files = memFiles({
    'web/docker-compose.yml': [
      'services:',
      '  app:',
      '    image: img:1',
      '    networks: [front, edge]',
      '    configs: [site, { source: custom, target: /c }]',
      '    secrets: [token]',
      'networks:',
      '  front: {}',
      '  edge: { external: true, name: traefik-public }',
      'configs:',
      '  site: { content: "a" }',
      '  custom: { name: app-custom, content: "b" }',
      'secrets:',
      '  token: { file: token.txt }',
      '',
    ].join('\n'),
    'web/token.txt': 't',
  });
  const d = desiredFor(
    {
      key: 'SwarmStack/default/web',
      kind: 'SwarmStack',
      namespace: 'default',
      name: 'web',
      spec: { composeFile: 'docker-compose.yml' },
      origin: { file: 'web/res.yaml' },
      baseDir: 'web',
    },
    { instanceId: 'i1', files, secretHashKey: SECRET_HASH_KEY },
  );
  const owner = 'SwarmStack/default/web';

  it('full: every desired and external name, the namespace and its prefixes; owned objects by label', () => {
    const q = observeQuery(d, { instanceId: 'i1', owner, narrow: false });
    expect(q.namePrefixes).toEqual(['web_', 'app-custom']);
    expect(q.ownedByName).toBeUndefined();
    expect(q.stackNamespaces).toEqual(['web']);
    expect(q.names?.network).toEqual(['web_front', 'traefik-public']);
    expect(q.names?.service).toEqual(['web_app']);
    expect([...(q.names?.config ?? [])].sort()).toEqual([
      expect.stringMatching(/^app-custom-/),
      expect.stringMatching(/^web_site-/),
    ]);
  });

  it('narrow: the same query, and owned objects by name too', () => {
    const full = observeQuery(d, { instanceId: 'i1', owner, narrow: false });
    const q = observeQuery(d, { instanceId: 'i1', owner, narrow: true });
    expect(q).toEqual({ ...full, ownedByName: true });
  });
});
