import { describe, expect, it } from 'vitest';
import type { ImageResolver } from '../../../controllers/ports.js';
import { reconcileResource } from '../../../controllers/stack/reconcile-resource.js';
import { digestWarning } from '../../../reconciler/plan/image-pin.js';
import { stackRes, svc, world } from './reconcile-world.js';

// The log lines of a reconcile, the warnings of its desired state (once per change) and of its
// image resolution.

const web = stackRes({ web: svc('web:1') });
// two warnings: an ignored key and an unset variable
const warned = stackRes({
  web: svc('web:1', { build: '.' }),
  db: svc('db:1', { environment: { PW: '${SK_TEST_UNSET_VAR}' } }),
});

describe('reconcileResource: log lines', () => {
  it('without a queue id: an id is made and every line carries kind, key and it', async () => {
    const w = world();
    const r = await reconcileResource(web, { mode: 'apply' }, w.deps);
    expect(r.reconcileId).toMatch(/^[0-9a-f]{8}$/);
    expect(w.lines.map((l) => l.msg)).toStrictEqual(['planned', 'applied']);
    for (const l of w.lines)
      expect(l).toMatchObject({
        kind: 'SwarmStack',
        key: 'SwarmStack/default/app',
        reconcileId: r.reconcileId,
      });
    const again = await reconcileResource(web, { mode: 'apply' }, w.deps);
    expect(again.reconcileId).not.toBe(r.reconcileId);
  });

  it("with the queue's id: the logger is used as it is (it already carries the id)", async () => {
    const w = world();
    const r = await reconcileResource(web, { mode: 'apply', reconcileId: 'q-42' }, w.deps);
    expect(r.reconcileId).toBe('q-42');
    expect(w.lines.length).toBeGreaterThan(0);
    for (const l of w.lines) {
      expect(l).not.toHaveProperty('reconcileId');
      expect(l).not.toHaveProperty('key');
    }
  });

  it('planned at debug level and applied at info, each with the plan summary', async () => {
    const w = world();
    await reconcileResource(web, { mode: 'apply' }, w.deps);
    const summary = { create: 2, update: 0, remove: 0, recreate: 0, blocked: 0 };
    expect(w.lines.find((l) => l.msg === 'planned')).toMatchObject({ level: 20, summary });
    expect(w.lines.find((l) => l.msg === 'applied')).toMatchObject({ level: 30, summary });
  });

  it('a terminal error is logged as failed with its code and policy', async () => {
    const w = world();
    const bad = stackRes({ web: { deploy: { replicas: 1 } } });
    const r = await reconcileResource(bad, { mode: 'apply' }, w.deps);
    expect(r.error?.policy).toBe('terminal');
    expect(w.lines.map((l) => [l.msg, l.level])).toStrictEqual([['reconcile failed', 40]]);
    expect(w.lines[0]).toMatchObject({ code: r.error?.code, policy: 'terminal' });
  });
});

describe('reconcileResource: warnings', () => {
  it('are logged once per change, kept in the status and the report', async () => {
    const w = world();
    const first = await reconcileResource(warned, { mode: 'apply' }, w.deps);
    expect(first.warnings).toHaveLength(2);
    expect(first.outcome.warnings).toStrictEqual(first.warnings);
    expect(first.status.warnings).toStrictEqual(first.warnings);
    const logged = w.lines.filter((l) => l.msg === 'stack warning');
    expect(logged.map((l) => [l.level, l.warning])).toStrictEqual(first.warnings.map((x) => [40, x]));
    w.lines.length = 0;
    const second = await reconcileResource(warned, { mode: 'apply' }, w.deps, first.status);
    expect(second.warnings).toStrictEqual(first.warnings);
    expect(w.lines.filter((l) => l.msg === 'stack warning')).toStrictEqual([]);
    // one of them went away: the one left is said again
    const fixed = stackRes({
      web: svc('web:1', { build: '.' }),
      db: svc('db:1', { environment: { PW: 'x' } }),
    });
    const third = await reconcileResource(fixed, { mode: 'apply' }, w.deps, second.status);
    expect(third.warnings).toHaveLength(1);
    expect(w.lines.filter((l) => l.msg === 'stack warning').map((l) => l.warning)).toStrictEqual(
      third.warnings,
    );
  });

  it('an image that could not be resolved is a warning after those of the desired state', async () => {
    const w = world();
    const asked: [string, AbortSignal | undefined][] = [];
    const images: ImageResolver = {
      resolveImage: async (image, signal) => {
        asked.push([image, signal]);
        throw new Error('registry down');
      },
    };
    const signal = new AbortController().signal;
    const res = stackRes({ web: svc('web:1', { build: '.' }) });
    const r = await reconcileResource(res, { mode: 'apply', signal }, { ...w.deps, images });
    expect(asked).toStrictEqual([['web:1', signal]]);
    expect(r.error).toBeUndefined();
    expect(r.warnings).toStrictEqual([
      'app.yaml: Ignoring unsupported options: build',
      digestWarning('web:1'),
    ]);
    expect(r.outcome.warnings).toStrictEqual(r.warnings);
  });

  it('image warnings alone are the warnings', async () => {
    const w = world();
    const images: ImageResolver = {
      resolveImage: async () => {
        throw new Error('registry down');
      },
    };
    const r = await reconcileResource(web, { mode: 'apply' }, { ...w.deps, images });
    expect(r.warnings).toStrictEqual([digestWarning('web:1')]);
    expect(r.outcome.warnings).toStrictEqual([digestWarning('web:1')]);
    expect(r.status.warnings).toStrictEqual([digestWarning('web:1')]);
  });

  it('an image resolved is pinned; the resolve-image option overrides the spec', async () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const asked: string[] = [];
    const images: ImageResolver = {
      resolveImage: async (image) => {
        asked.push(image);
        return { digest, platforms: [] };
      },
    };
    const w = world();
    const r = await reconcileResource(web, { mode: 'plan' }, { ...w.deps, images });
    const create = r.plan?.actions.find((a) => a.op === 'create' && a.kind === 'service');
    expect(
      create?.op === 'create' &&
        create.desired.kind === 'service' &&
        create.desired.spec.TaskTemplate.ContainerSpec.Image,
    ).toBe(`web:1@${digest}`);
    expect(r.outcome).not.toHaveProperty('warnings');
    asked.length = 0;
    const never = await reconcileResource(
      web,
      { mode: 'plan', resolveImage: 'never' },
      { ...w.deps, images },
    );
    expect(asked).toStrictEqual([]);
    const plain = never.plan?.actions.find((a) => a.op === 'create' && a.kind === 'service');
    expect(
      plain?.op === 'create' &&
        plain.desired.kind === 'service' &&
        plain.desired.spec.TaskTemplate.ContainerSpec.Image,
    ).toBe('web:1');
  });

  it('a pin the Swarm holds is kept by a reconcile that resolves nothing', async () => {
    const digest = `sha256:${'b'.repeat(64)}`;
    const images: ImageResolver = { resolveImage: async () => ({ digest, platforms: [] }) };
    const w = world();
    const first = await reconcileResource(web, { mode: 'apply' }, { ...w.deps, images });
    const r = await reconcileResource(web, { mode: 'apply' }, w.deps, first.status);
    expect(r.plan?.actions).toStrictEqual([]);
    expect(r.drift).toBe(false);
  });
});
