// `swarmkeeper run` on a directory source holding a SwarmStack beside its compose files
// (composeFiles: base + overlay): editing only the `.env` is a new revision, and the controller
// rolls exactly the service that uses the variable (the other keeps its version); the applied
// revision in status follows. A plain compose file's env_file and config file are inputs too: an
// edit to either alone is reconciled at once (the periodic resync is 10 min here). Real lab swarm +
// Redis; every wait polls with a deadline.
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControllerProcess, killAll, waitFor } from './helpers/controller-process.js';
import { StatusReader, cleanupSwarm, serviceSpec, tempSource, uniq } from './helpers/controller-swarm.js';
import { labVars } from './helpers/controller-swarm.js';

const id = uniq('skovenv');
const p = uniq('o');
const src = tempSource('sk-overlay-env');
const status = new StatusReader(id);
let ctl: ControllerProcess;

const STACK = `${p}shop`;
const KEY = `SwarmStack/default/${STACK}`;
const USES = `${STACK}_uses`;
const OTHER = `${STACK}_other`;
const CFG = `${p}cfg`;
const CFG_APP = `${CFG}_app`;
const CFG_KEY = `SwarmStack/default/${CFG}`;
const PLAIN = `services:
  app:
    image: local/busybox:1
    command: ["sleep", "100000"]
    stop_grace_period: 1s
    env_file: app.env
    configs: [{source: conf, target: /etc/app.conf}]
    deploy:
      endpoint_mode: dnsrr
configs:
  conf: {file: ./app.conf}
`;

const BASE = `services:
  uses:
    image: local/busybox:1
    command: ["sleep", "100000"]
    stop_grace_period: 1s
    environment:
      LEVEL: \${LEVEL}
    deploy:
      endpoint_mode: dnsrr
  other:
    image: local/busybox:1
    command: ["sleep", "100000"]
    stop_grace_period: 1s
    deploy:
      endpoint_mode: dnsrr
`;
const OVERLAY = `services:
  uses:
    environment:
      TIER: prod
  other:
    environment:
      TIER: prod
`;

describe('swarmkeeper run: an overlay stack follows an edit of its .env alone', () => {
  beforeAll(async () => {
    const { redisUrl } = labVars();
    mkdirSync(src.path('shop'), { recursive: true });
    writeFileSync(src.path('shop', 'base.yml'), BASE);
    writeFileSync(src.path('shop', 'prod.yml'), OVERLAY);
    writeFileSync(src.path('shop', '.env'), 'LEVEL=info\n');
    writeFileSync(
      src.path('shop', 'stack.yaml'),
      `apiVersion: swarmkeeper.io/v1alpha1\nkind: SwarmStack\nmetadata:\n  name: ${STACK}\nspec:\n  composeFiles: [base.yml, prod.yml]\n`,
    );
    mkdirSync(src.path(CFG), { recursive: true });
    writeFileSync(src.path(CFG, 'docker-compose.yml'), PLAIN);
    writeFileSync(src.path(CFG, 'app.env'), 'MODE=one\n');
    writeFileSync(src.path(CFG, 'app.conf'), 'version 1\n');
    ctl = await ControllerProcess.start({
      instanceId: id,
      sources: [src.dir],
      redisUrl,
      label: 'overlay-env',
    });
    await waitFor(
      `${KEY} Ready\n${ctl.tail()}`,
      90_000,
      async () => ((await status.condition(KEY, 'Ready'))?.status === 'True' ? true : undefined),
      250,
    );
    await waitFor(
      `${CFG_KEY} Ready\n${ctl.tail()}`,
      90_000,
      async () => ((await status.condition(CFG_KEY, 'Ready'))?.status === 'True' ? true : undefined),
      250,
    );
  });

  afterAll(async () => {
    await killAll();
    await cleanupSwarm(id);
    await status.purge();
    status.close();
    src.remove();
  });

  it('deploys the merged files; an edit of .env rolls only the service using the variable', async () => {
    const uses = await serviceSpec(USES);
    const other = await serviceSpec(OTHER);
    expect(uses?.env).toEqual(['LEVEL=info', 'TIER=prod']);
    expect(other?.env).toEqual(['TIER=prod']);
    const revision = (await status.get(KEY))?.['lastAppliedRevision'];
    expect(revision).toMatch(/^sha256:/);

    writeFileSync(src.path('shop', '.env'), 'LEVEL=warn\n');
    const rolled = await waitFor(
      `${USES} to get LEVEL=warn\n${ctl.tail()}`,
      30_000,
      async () => {
        const s = await serviceSpec(USES);
        return s?.env.includes('LEVEL=warn') ? s : undefined;
      },
      100,
    );
    expect(rolled.version).toBeGreaterThan(uses!.version);
    expect((await serviceSpec(OTHER))?.version).toBe(other!.version);
    await waitFor(
      `the applied revision to follow the .env\n${ctl.tail()}`,
      30_000,
      async () => {
        const r = (await status.get(KEY))?.['lastAppliedRevision'];
        return typeof r === 'string' && r !== revision ? r : undefined;
      },
      100,
    );
  });

  it('an env_file edit alone rolls the service; a config file edit alone gives it a new config version', async () => {
    const before = await serviceSpec(CFG_APP);
    expect(before?.env).toEqual(['MODE=one']);

    writeFileSync(src.path(CFG, 'app.env'), 'MODE=two\n');
    const rolled = await waitFor(
      `${CFG_APP} to get MODE=two\n${ctl.tail()}`,
      30_000,
      async () => {
        const s = await serviceSpec(CFG_APP);
        return s?.env.includes('MODE=two') ? s : undefined;
      },
      100,
    );

    writeFileSync(src.path(CFG, 'app.conf'), 'version 2\n');
    const updated = await waitFor(
      `${CFG_APP} to be updated for the new app.conf\n${ctl.tail()}`,
      30_000,
      async () => {
        const s = await serviceSpec(CFG_APP);
        return s && s.version > rolled.version ? s : undefined;
      },
      100,
    );
    expect(updated.env).toEqual(['MODE=two']);
  });
});
