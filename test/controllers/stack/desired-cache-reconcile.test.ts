import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPath } from '../../../controllers/sources/dir-loader.js';
import { DesiredCache } from '../../../controllers/stack/desired-cache.js';
import { reconcileResource } from '../../../controllers/stack/reconcile-resource.js';
import { SwarmSimulator } from '../../../reconciler/plan/simulator.js';
import type { ResourceStatus } from '../../../reconciler/status/resource-status.js';
import { writeTree } from '../../support/file-tree.js';
import { simulatorSwarm } from './reconcile-world.js';

// A stack in a real folder, loaded by the directory loader and reconciled in process against the
// planner's simulator, pass after pass with the same cache (as the controller's resync does): an
// edit of an env file or of a config file the compose file references is planned on the next pass,
// and a pass with nothing changed plans nothing and computes nothing.

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function world() {
  const root = writeTree('sk-cache-reconcile-', {
    'app/docker-compose.yml': [
      'services:',
      '  web:',
      '    image: local/busybox:1',
      '    env_file: [web.env]',
      '    configs: [{ source: conf, target: /conf }]',
      '    deploy: { replicas: 0, endpoint_mode: dnsrr }',
      'configs:',
      '  conf: { file: ./conf.txt }',
      '',
    ].join('\n'),
    'app/web.env': 'MODE=a\n',
    'app/conf.txt': 'hello\n',
  });
  roots.push(root);
  const sim = new SwarmSimulator();
  const swarm = simulatorSwarm(sim);
  const cache = new DesiredCache();
  let prev: ResourceStatus | undefined;
  const pass = async () => {
    const res = loadPath(root).resources[0]!;
    const r = await reconcileResource(
      res,
      { mode: 'apply' },
      {
        swarm,
        instanceId: 'i1',
        secretHashKey: new TextEncoder().encode('cache-reconcile-test'),
        root,
        logger: pino({ level: 'silent' }),
        cache,
      },
      prev,
    );
    expect(r.error).toBeUndefined();
    prev = r.status;
    return r.plan!.actions.map((a) => `${a.op} ${a.kind} ${a.name}`);
  };
  const service = () => sim.observed().objects.find((o) => o.kind === 'service');
  return { root, cache, pass, service };
}

describe('a resync through the desired-state cache', () => {
  it('an env file edit is planned on the next pass; an unchanged pass computes and plans nothing', async () => {
    const w = world();
    expect(await w.pass()).toContain('create service app_web');
    expect(await w.pass()).toEqual([]);
    expect(w.cache.stats()).toMatchObject({ hits: 1, misses: 1 });
    writeFileSync(join(w.root, 'app/web.env'), 'MODE=b\n');
    expect(await w.pass()).toEqual(['update service app_web']);
    expect(JSON.stringify(w.service())).toContain('MODE=b');
    expect(await w.pass()).toEqual([]);
    expect(w.cache.stats()).toMatchObject({ hits: 2, misses: 2 });
  });

  it('a config file edit is a new config object on the next pass', async () => {
    const w = world();
    await w.pass();
    const before = JSON.stringify(w.service());
    writeFileSync(join(w.root, 'app/conf.txt'), 'hello again\n');
    const actions = await w.pass();
    expect(actions).toContain('update service app_web');
    expect(actions.some((a) => a.startsWith('create config app_conf'))).toBe(true);
    expect(JSON.stringify(w.service())).not.toBe(before);
    expect(await w.pass()).toEqual([]);
  });
});
