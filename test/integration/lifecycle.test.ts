/**
 * LIFECYCLE (issue 11): every corpus file under test/integration/fidelity/<case>/ goes through create,
 * change, adoption and delete, against `docker stack deploy` (CLI 28) with the same files. Each case
 * has three stacks from three copies of its folder: `la…` (docker: create, change), `lb…`
 * (swarmkeeper apply: create, change) and `lo…` (a fresh docker deployment that swarmkeeper adopts),
 * and one swarmkeeper instance id, which owns `lb…` and, once adopted, `lo…`:
 *  - create: the normalised Swarm objects of la and lb are equal (the fidelity comparison,
 *    fidelity/support/compare.ts);
 *  - change (lifecycle/changes.ts, one kind per case, every kind on several cases): after the same
 *    edit, they are equal again, and swarmkeeper updated exactly the services the edit changes
 *    (Version.Index of each service before/after);
 *  - adoption: `swarmkeeper apply --adopt` of lo leaves every stored service Spec as it was except for
 *    the ownership labels (raw `GET /services`, no inserted defaults), starts no rolling update and
 *    stops no running task; `plan` then exits 0;
 *  - delete: `apply --prune --allow-empty` of an empty folder leaves nothing the instance owns, and the
 *    external objects the file uses are still there.
 * Cases run concurrently (vitest maxConcurrency, 5 by default); within a case the three stacks run
 * side by side, except for `# fidelity: exclusive` cases (ingress ports, fixed subnets), which run
 * lb (to its deletion), la and lo one after the other. Every step runs even when an earlier one
 * found differences; a case fails with all of them, labelled by step.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, pollUntil, stackDeploy, swarmkeeper, type RunResult } from './fidelity/support/cli.js';
import { compareStacks, userIpamNetworks } from './fidelity/support/compare.js';
import {
  ensureExternals,
  externalsOf,
  removeExternals,
  type ExternalObject,
} from './fidelity/support/externals.js';
import { normaliseService } from './fidelity/support/normalise.js';
import { allocated, removeStacks, snapshot, type StackSnapshot } from './fidelity/support/stack.js';
import { CHANGES, applyEdits } from './lifecycle/changes.js';
import {
  adoptionDiffs,
  ingressPorts,
  onlyDeclared,
  ownedBy,
  rawServices,
  stoppedTasks,
  taskStates,
  updatedServices,
  versionsOf,
} from './lifecycle/support.js';

const CORPUS = fileURLToPath(new URL('./fidelity/', import.meta.url));
const RUN = randomBytes(2).toString('hex');
const TMP = mkdtempSync(join(tmpdir(), 'sk-lifecycle-'));
const EMPTY = join(TMP, 'empty');
const CASE_TIMEOUT = 300_000;

const cases = readdirSync(CORPUS, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(CORPUS, e.name, 'docker-compose.yml')))
  .map((e) => e.name)
  .sort();
/** SK_LIFECYCLE_CASES=a,b runs only those cases' lifecycles (for development; the corpus checks see all). */
const only = process.env['SK_LIFECYCLE_CASES']?.split(',').filter(Boolean);
const selected = only ? cases.filter((c) => only.includes(c)) : cases;
const textOf = (name: string) => readFileSync(join(CORPUS, name, 'docker-compose.yml'), 'utf8');
const exclusive = (text: string) => /^# fidelity: exclusive$/m.test(text);
const durations: Record<string, number> = {};
let externals: ExternalObject[] = [];
const t0 = Date.now();

const show = (r: RunResult) => `exit ${r.code}\n${r.stdout}${r.stderr}`.trim();

/** Deletes everything the instance owns (an empty folder, pruned) and waits until none is left. */
async function deleteOwned(instance: string): Promise<string[]> {
  const problems: string[] = [];
  const r = await swarmkeeper(instance, ['apply', '--prune', '--allow-empty', '-f', EMPTY]);
  if (r.code !== 0) problems.push(`apply --prune --allow-empty of an empty folder: ${show(r)}`);
  try {
    await pollUntil(`nothing owned by ${instance}`, 60_000, async () =>
      (await ownedBy(instance)).length === 0 ? true : undefined,
    );
  } catch {
    problems.push(`left behind, owned by ${instance}: ${(await ownedBy(instance)).join(', ')}`);
  }
  return problems;
}

interface Side {
  created?: StackSnapshot;
  changed?: StackSnapshot;
}

async function lifecycle(name: string): Promise<string[]> {
  const text = textOf(name);
  const change = CHANGES[name];
  const ex = exclusive(text);
  // a: docker's stack (create, change); b: swarmkeeper's (create, change); o: a fresh docker stack
  // that swarmkeeper adopts (fresh, so that no rolling update docker started is still under way).
  // One swarmkeeper instance owns b and, once adopted, o; deleting is pruning everything it owns.
  const copy = (prefix: string) => {
    const ns = `${prefix}${RUN}-${name}`;
    const dir = join(TMP, ns);
    cpSync(join(CORPUS, name), dir, { recursive: true });
    return { ns, dir, file: join(dir, 'docker-compose.yml') };
  };
  const [a, b, o] = [copy('la'), copy('lb'), copy('lo')];
  const id = `lc${RUN}-${name}`;
  const problems: string[] = [];
  const fail = (step: string, msg: string) =>
    problems.push(...msg.split('\n').map((line) => `[${step}] ${line}`));
  const t = Date.now();
  const mark = (what: string) =>
    process.env['SK_LIFECYCLE_TRACE'] && console.log(`[lifecycle] ${name} ${what} +${Date.now() - t} ms`);
  const run = (label: string, side: () => Promise<void>) =>
    side().catch((e: Error) => fail(label, e.message));
  const sideA: Side = {};
  const sideB: Side = {};

  const swarmkeeperSide = async () => {
    // like for like with la (stackDeploy: --resolve-image never); adoption (lo) runs with the default
    const r = await swarmkeeper(id, ['apply', '--resolve-image', 'never', '-f', b.file]);
    if (r.code !== 0) fail('create', `swarmkeeper apply: ${show(r)}`);
    sideB.created = await snapshot(b.ns, b.dir);
    mark('b created');
    if (change) {
      const before = await versionsOf(b.ns);
      applyEdits(b.dir, change.edits);
      const rc = await swarmkeeper(id, ['apply', '--resolve-image', 'never', '-f', b.file]);
      if (rc.code !== 0) fail(`change ${change.kind}`, `swarmkeeper apply: ${show(rc)}`);
      sideB.changed = await snapshot(b.ns, b.dir);
      mark('b changed');
      const updated = updatedServices(b.ns, before, await versionsOf(b.ns));
      const want = [...change.updates].sort();
      if (JSON.stringify(updated) !== JSON.stringify(want))
        fail(
          `change ${change.kind}`,
          `swarmkeeper updated services [${updated.join(', ')}], the change touches [${want.join(', ')}]`,
        );
    }
    if (ex) for (const p of await deleteOwned(id)) fail('delete (swarmkeeper stack)', p);
  };

  const dockerSide = async () => {
    await stackDeploy(a.file, a.ns);
    sideA.created = await snapshot(a.ns, a.dir);
    mark('a created');
    if (!change) return;
    applyEdits(a.dir, change.edits);
    await stackDeploy(a.file, a.ns);
    sideA.changed = await snapshot(a.ns, a.dir);
    mark('a changed');
  };

  const adoptionSide = async () => {
    await stackDeploy(o.file, o.ns);
    const before = await rawServices(o.ns);
    const tasks = await taskStates(o.ns);
    const r = await swarmkeeper(id, ['apply', '--adopt', '-f', o.file]);
    if (r.code !== 0) fail('adopt', `swarmkeeper apply --adopt: ${show(r)}`);
    for (const d of adoptionDiffs(before, await rawServices(o.ns))) fail('adopt', d);
    const stopped = stoppedTasks(tasks, await taskStates(o.ns));
    if (stopped.length > 0) fail('adopt', `running tasks stopped by adoption: ${stopped.join(', ')}`);
    const p = await swarmkeeper(id, ['plan', '-f', o.file]);
    if (p.code !== 0) fail('plan after adopt', show(p));
    mark('o adopted and planned');
  };

  try {
    if (ex) {
      await run('swarmkeeper side', swarmkeeperSide);
      await removeStacks([b.ns]);
      await run('docker side', dockerSide);
      await removeStacks([a.ns]);
      await run('adoption', adoptionSide);
    } else {
      await Promise.all([
        run('swarmkeeper side', swarmkeeperSide),
        run('docker side', dockerSide),
        run('adoption', adoptionSide),
      ]);
    }
    for (const x of await deleteOwned(id)) fail('delete', x);
    mark('deleted');
    const ipam = userIpamNetworks(text);
    if (sideA.created && sideB.created)
      for (const d of compareStacks(sideA.created, sideB.created, ipam)) fail('create', d);
    if (change && sideA.changed && sideB.changed) {
      const edited = readFileSync(a.file, 'utf8');
      const [da, db] = [onlyDeclared(sideA.changed, edited), onlyDeclared(sideB.changed, edited)];
      for (const d of compareStacks(da, db, ipam)) fail(`change ${change.kind}`, d);
    }
    for (const x of externalsOf(text))
      if ((await docker([x.kind, 'inspect', x.name], true)).code !== 0)
        fail('delete', `external ${x.kind} ${x.name} was removed`);
  } finally {
    await removeStacks([a.ns, b.ns, o.ns]);
    mark('removed');
  }
  return problems;
}

beforeAll(async () => {
  if (!process.env.DOCKER_HOST)
    throw new Error('DOCKER_HOST is not set (the integration globalSetup sets it)');
  if (!existsSync(fileURLToPath(new URL('../../dist/controllers/cli/main.js', import.meta.url))))
    throw new Error('dist/ is missing: run `npm run build` first');
  mkdirSync(EMPTY);
  externals = await ensureExternals(selected.flatMap((c) => externalsOf(textOf(c))));
});

afterAll(async () => {
  await removeExternals(externals);
  rmSync(TMP, { recursive: true, force: true });
  console.log(
    `[lifecycle] ${cases.length} cases in ${Math.round((Date.now() - t0) / 1000)} s; per case (s): ${JSON.stringify(durations)}`,
  );
});

describe('the corpus', () => {
  it('has at least 43 compose files and a change of every kind on at least three of them', () => {
    expect(cases.length).toBeGreaterThanOrEqual(43);
    expect(Object.keys(CHANGES).filter((c) => !cases.includes(c))).toEqual([]);
    const perKind = new Map<string, number>();
    for (const c of Object.values(CHANGES)) perKind.set(c.kind, (perKind.get(c.kind) ?? 0) + 1);
    for (const kind of ['replicas', 'env', 'image', 'config', 'secret', 'port', 'mount'])
      expect(perKind.get(kind) ?? 0, kind).toBeGreaterThanOrEqual(3);
  });

  it('applies every change of the table to its case (each edited text occurs)', () => {
    for (const [c, change] of Object.entries(CHANGES)) {
      const dir = join(TMP, `edit-check-${c}`);
      cpSync(join(CORPUS, c), dir, { recursive: true });
      expect(() => applyEdits(dir, change.edits), c).not.toThrow();
    }
  });

  it('reads updates, stopped tasks and relative binds the way the steps above rely on', () => {
    const before = new Map([
      ['s_a', 10],
      ['s_b', 11],
      ['s_gone', 12],
    ]);
    const after = new Map([
      ['s_a', 10],
      ['s_b', 14],
      ['s_new', 1],
    ]);
    expect(updatedServices('s', before, after)).toEqual(['b', 'gone', 'new']);
    const tasks = (e: [string, string, string][]) =>
      new Map(e.map(([i, state, desired]) => [i, { state, desired }]));
    const t0 = tasks([
      ['kept', 'running', 'running'],
      ['rolled', 'running', 'running'],
      ['exited', 'running', 'running'],
    ]);
    const t1 = tasks([
      ['kept', 'running', 'running'],
      ['rolled', 'running', 'shutdown'],
      ['exited', 'complete', 'shutdown'],
    ]);
    expect(stoppedTasks(t0, t1)).toEqual(['rolled']);
    // Snapshots wait for the allocator (vault-consul once read Driver "" and a VIP allocation as an update).
    const svc = (mode: string | undefined, nets: number, vips: number | undefined) => ({
      Spec: {
        TaskTemplate: { Networks: Array(nets).fill({}) },
        EndpointSpec: mode ? { Mode: mode } : undefined,
      },
      ...(vips === undefined ? {} : { Endpoint: { VirtualIPs: Array(vips).fill({}) } }),
    });
    expect(allocated([{ Driver: 'overlay' }], [svc(undefined, 1, 1), svc('dnsrr', 1, 0)])).toBe(true);
    expect(allocated([{ Driver: '' }], [])).toBe(false);
    expect(allocated([], [svc(undefined, 1, undefined)])).toBe(false);
    expect(allocated([], [svc('vip', 2, 1)])).toBe(false);
    const snap = (dir: string): StackSnapshot => ({
      namespace: 'x',
      services: new Map(),
      networks: new Map(),
      configs: new Map(),
      secrets: new Map(),
      networkNames: new Map(),
      dir,
    });
    const mounts = (src: string) => ({
      TaskTemplate: { ContainerSpec: { Mounts: [{ Type: 'bind', Source: src }] } },
    });
    expect(normaliseService(mounts('/tmp/la1-c/data'), snap('/tmp/la1-c'))).toEqual(mounts('<dir>/data'));
    expect(normaliseService(mounts('/tmp/la1-cc/data'), snap('/tmp/la1-c'))).toEqual(
      mounts('/tmp/la1-cc/data'),
    );
    expect(normaliseService(mounts('data'), snap('/tmp/la1-c'))).toEqual(mounts('data'));
  });

  it('publishes each ingress port in one case only, and only in exclusive cases', () => {
    const seen = new Map<number, string>();
    const problems: string[] = [];
    for (const c of cases) {
      const text = textOf(c);
      for (const port of ingressPorts(text)) {
        if (!exclusive(text)) problems.push(`${c}: ingress port ${port} but not "# fidelity: exclusive"`);
        if (seen.has(port) && seen.get(port) !== c)
          problems.push(`${c}: ingress port ${port} also in ${seen.get(port)}`);
        seen.set(port, c);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('create, change, adopt and delete: docker stack deploy vs swarmkeeper', () => {
  it.concurrent.each(selected)(
    '%s',
    async (name) => {
      const started = Date.now();
      const problems = await lifecycle(name);
      durations[name] = Math.round((Date.now() - started) / 1000);
      expect(problems.join('\n'), `${name}: lifecycle differences`).toBe('');
    },
    CASE_TIMEOUT,
  );
});
