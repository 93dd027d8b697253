import { describe, expect, it } from 'vitest';
import {
  groupHealthByOwner,
  serviceHealthByOwner,
  type ServiceListEntry,
} from '../../../controllers/docker/health.js';
import { fakeDocker } from '../../support/fake-docker.js';
import { LABEL_INSTANCE, LABEL_OWNER } from '../../../reconciler/model/ownership.js';
import { isConverged } from '../../../reconciler/status/resource-status.js';

const OWNED = { [LABEL_OWNER]: 'SwarmStack/d/s', [LABEL_INSTANCE]: 'sk' };
const entry = (
  Mode: NonNullable<ServiceListEntry['Spec']>['Mode'],
  status: ServiceListEntry['ServiceStatus'],
) =>
  ({
    Spec: { Name: 's_x', Labels: OWNED, Mode, TaskTemplate: { ContainerSpec: { Image: 'img' } } },
    ServiceStatus: status,
  }) as ServiceListEntry;
const healthOf = (e: ServiceListEntry) => groupHealthByOwner([e], 'sk').get('SwarmStack/d/s')?.[0];

describe('service health from GET /services?status=true', () => {
  it.each<[string, ServiceListEntry, object, boolean]>([
    [
      'a replicated service, all running',
      entry({ Replicated: { Replicas: 2 } }, { RunningTasks: 2, DesiredTasks: 2 }),
      { mode: 'replicated', desiredReplicas: 2, runningReplicas: 2 },
      true,
    ],
    [
      'a global service, one of three running',
      entry({ Global: {} }, { RunningTasks: 1, DesiredTasks: 3 }),
      { mode: 'global', desiredReplicas: 3, runningReplicas: 1 },
      false,
    ],
    // what the Engine reports once a one-shot job ended: nothing runs, and that is the goal
    [
      'a replicated job that completed',
      entry(
        { ReplicatedJob: { TotalCompletions: 1 } },
        { RunningTasks: 0, DesiredTasks: 1, CompletedTasks: 1 },
      ),
      { mode: 'job', desiredReplicas: 1, runningReplicas: 0, completedReplicas: 1 },
      true,
    ],
    [
      'a replicated job of three completions, two done',
      entry(
        { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 3 } },
        { RunningTasks: 1, DesiredTasks: 1, CompletedTasks: 2 },
      ),
      { mode: 'job', desiredReplicas: 3, runningReplicas: 1, completedReplicas: 2 },
      false,
    ],
    [
      'a replicated job without a count (the Engine runs one)',
      entry({ ReplicatedJob: {} }, { RunningTasks: 1, DesiredTasks: 1 }),
      { mode: 'job', desiredReplicas: 1, runningReplicas: 1, completedReplicas: 0 },
      false,
    ],
    [
      'a global job done on both nodes',
      entry({ GlobalJob: {} }, { RunningTasks: 0, DesiredTasks: 2, CompletedTasks: 2 }),
      { mode: 'job', desiredReplicas: 2, runningReplicas: 0, completedReplicas: 2 },
      true,
    ],
  ])('%s', (_name, e, want, converged) => {
    const h = healthOf(e);
    expect(h).toMatchObject(want);
    expect(h && isConverged(h)).toBe(converged);
  });
});

describe('serviceHealthByOwner: which list it asks for', () => {
  const other = { [LABEL_OWNER]: 'SwarmStack/d/t', [LABEL_INSTANCE]: 'sk' };
  const listed = [
    { Spec: { Name: 's_x', Labels: OWNED }, ServiceStatus: { RunningTasks: 0, DesiredTasks: 0 } },
    { Spec: { Name: 's_y', Labels: other }, ServiceStatus: { RunningTasks: 0, DesiredTasks: 0 } },
  ];
  it.each<[string, string[] | undefined, object | undefined, string[]]>([
    ['by label', undefined, { label: [`${LABEL_INSTANCE}=sk`, `${LABEL_OWNER}=SwarmStack/d/s`] }, ['s_x']],
    // the same owner's services, narrowed client-side (another owner's under the prefix is not its)
    ['by name prefix', ['s_'], { name: ['s_'] }, ['s_x']],
    ['no prefix: no call', [], undefined, []],
  ])('%s', async (_n, prefixes, filters, names) => {
    const { docker, requests } = fakeDocker(() => ({ status: 200, json: listed }));
    const got = await serviceHealthByOwner(docker, 'sk', 'SwarmStack/d/s', prefixes);
    expect(requests.map((r) => r.query['filters'])).toEqual(filters ? [JSON.stringify(filters)] : []);
    expect((got.get('SwarmStack/d/s') ?? []).map((h) => h.name)).toEqual(names);
  });
});
