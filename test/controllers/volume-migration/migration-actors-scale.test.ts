// Scale-down and scale-up wait on the consumers' tasks: which tasks count as stopped, and which as
// running replicas, polled until enough of them are.
import { describe, expect, it } from 'vitest';
import type { EngineTask } from '../../../controllers/volume-migration/migration-docker.js';
import type { ConsumerRecord } from '../../../machines/volume-migration.types.js';
import { ops, signal, svc } from './migration-actors-harness.js';

const WEB: ConsumerRecord = { service: 'web', id: 's1', replicas: 2, mounts: [], constraints: [] };

/** A manager whose task list for s1 goes through `rounds`, one per poll (the last one stays). */
function polled(rounds: EngineTask[][], replicas: number) {
  let n = 0;
  const spec = svc('s1', 'web');
  const r = ops({
    manager: {
      'GET /services/s1': () => ({
        ...spec,
        Spec: { ...spec.Spec, Mode: { Replicated: { Replicas: replicas } } },
      }),
      'POST /services/s1/update': () => ({}),
      'GET /tasks': () => rounds[Math.min(n++, rounds.length - 1)],
    },
  });
  return { ...r, polls: () => n };
}

describe('waiting on tasks', () => {
  it('scale-up counts only tasks desired running and running', async () => {
    const {
      ops: o,
      polls,
      log,
    } = polled(
      [
        [
          { ID: 'a', DesiredState: 'running', Status: { State: 'starting' } },
          { ID: 'b', DesiredState: 'shutdown', Status: { State: 'running' } },
          { ID: 'c', DesiredState: 'running' },
          { ID: 'd', DesiredState: 'running', Status: { State: 'running' } },
        ],
        [
          { ID: 'a', DesiredState: 'running', Status: { State: 'running' } },
          { ID: 'd', DesiredState: 'running', Status: { State: 'running' } },
        ],
      ],
      0,
    );
    await o.scaleUp({ input: { consumers: [WEB], wait: true }, signal });
    expect(polls()).toBe(2);
    expect(log.manager.find((q) => q.method === 'POST')?.body).toMatchObject({
      Mode: { Replicated: { Replicas: 2 } },
    });
  });

  it('scale-up without wait does not look at the tasks', async () => {
    const { ops: o, polls } = polled([[]], 0);
    await o.scaleUp({ input: { consumers: [WEB], wait: false }, signal });
    expect(polls()).toBe(0);
  });

  it('scale-down waits while a task has no state yet or still runs', async () => {
    const {
      ops: o,
      polls,
      log,
    } = polled(
      [
        [{ ID: 'a' }, { ID: 'b', Status: { State: 'complete' } }],
        [{ ID: 'a', Status: { State: 'running' } }],
        [
          { ID: 'a', Status: { State: 'shutdown' } },
          { ID: 'b', Status: { State: 'failed' } },
        ],
      ],
      2,
    );
    await o.scaleDown({ input: { consumers: [WEB] }, signal });
    expect(polls()).toBe(3);
    expect(log.manager.find((q) => q.method === 'POST')?.body).toMatchObject({
      Mode: { Replicated: { Replicas: 0 } },
    });
  });
});
