/**
 * LIFECYCLE, drift (issue 11): `swarmkeeper run` over a directory source holding two corpus cases whose
 * services mount configs and secrets (configs-secrets: local image, tasks run; rabbitmq: real image,
 * templated hostname) puts back an out-of-band `docker service scale` and `docker service update
 * --env-add` on those services. Every correction is an update of a service that references configs and
 * secrets, the path where a reference to an existing object must survive the update. Polls with a
 * deadline; the latencies are printed.
 */
import { cpSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControllerProcess, killAll, waitFor } from './helpers/controller-process.js';
import {
  type ServiceSpecView,
  docker,
  labVars,
  serviceSpec,
  tempSource,
  uniq,
} from './helpers/controller-swarm.js';
import { removeStacks } from './fidelity/support/stack.js';

const CORPUS = fileURLToPath(new URL('./fidelity/', import.meta.url));
const id = uniq('skldrift');
const src = tempSource('sk-lifecycle-drift');
const CS = uniq('ldcs');
const RB = uniq('ldrb');
const latencies: Record<string, number> = {};
let ctl: ControllerProcess;

/** [stack service, compose replicas, env of the compose file] of each target. */
const TARGETS: [string, number, string[]][] = [
  [`${CS}_app`, 1, []],
  [
    `${RB}_rabbitmq`,
    1,
    [
      'RABBITMQ_DEFAULT_USER=guest',
      'RABBITMQ_ERLANG_COOKIE_FILE=/run/secrets/erlang_cookie',
      'RABBITMQ_NODENAME=rabbit@rabbit-{{.Task.Slot}}',
    ],
  ],
];

const sorted = (xs: string[]) => [...xs].sort();

async function corrected(
  what: string,
  name: string,
  change: () => Promise<unknown>,
  ok: (s: ServiceSpecView) => boolean,
): Promise<void> {
  const v0 = (await serviceSpec(name))?.version ?? 0;
  const t0 = Date.now();
  await change();
  // An update really happened and was undone: the out-of-band one and ours, at least two versions.
  await waitFor(
    `${what} on ${name} to be put back\n${ctl.tail()}`,
    30_000,
    async () => {
      const s = await serviceSpec(name);
      return s !== undefined && s.version >= v0 + 2 && ok(s) ? true : undefined;
    },
    100,
  );
  latencies[`${name}: ${what}`] = Date.now() - t0;
}

describe('swarmkeeper run puts back out-of-band changes to services with configs and secrets', () => {
  beforeAll(async () => {
    cpSync(`${CORPUS}configs-secrets`, src.path(CS), { recursive: true });
    cpSync(`${CORPUS}rabbitmq`, src.path(RB), { recursive: true });
    ctl = await ControllerProcess.start({
      instanceId: id,
      sources: [src.dir],
      redisUrl: labVars().redisUrl,
      label: 'lifecycle-drift',
    });
    await waitFor(
      `both stacks created\n${ctl.tail()}`,
      90_000,
      async () => {
        for (const [name] of TARGETS) if (!(await serviceSpec(name))) return undefined;
        return true;
      },
      250,
    );
  });

  afterAll(async () => {
    await killAll();
    console.log(`[lifecycle-drift] correction latencies (ms): ${JSON.stringify(latencies)}`);
    await removeStacks([CS, RB]);
    src.remove();
  });

  it.each(TARGETS)('%s: docker service scale is scaled back', async (name, replicas) => {
    await corrected(
      'service scale',
      name,
      () => docker('service', 'scale', '--detach', `${name}=3`),
      (s) => s.replicas === replicas,
    );
    expect((await serviceSpec(name))?.replicas).toBe(replicas);
  });

  it.each(TARGETS)('%s: docker service update --env-add is removed', async (name, _r, env) => {
    await corrected(
      'service update --env-add',
      name,
      () => docker('service', 'update', '--detach', '--env-add', 'INJECTED=1', name),
      (s) => JSON.stringify(sorted(s.env)) === JSON.stringify(sorted(env)),
    );
    expect(sorted((await serviceSpec(name))?.env ?? [])).toEqual(sorted(env));
  });
});
