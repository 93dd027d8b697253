// What the SwarmVolumeMigration kind logs for an operator: a run starting, finishing, resuming,
// stopping or failing, and a removal finishing what a deleted run changed.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { MemorySnapshotStore } from '../../../controllers/machine-runner/snapshot-store.js';
import { KEY, hang, harness, resource } from './migration-kind-harness.js';

type Line = Record<string, unknown> & { msg: string; level: number };

function logged(h: ReturnType<typeof harness>) {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Line);
      cb();
    },
  });
  const log = pino({ level: 'info' }, sink);
  const ctx = (prev?: Parameters<typeof h.ctx>[0], signal?: AbortSignal) => ({ ...h.ctx(prev, signal), log });
  const find = (msg: string) => lines.find((l) => l.msg === msg);
  return { lines, ctx, find };
}

describe('SwarmVolumeMigration kind: logs', () => {
  it('a run: running (source, target), finished (outcome, message)', async () => {
    const h = harness();
    const { ctx, find } = logged(h);
    const r = await h.reconciler.reconcile(resource(), ctx());
    expect(find('volume migration: running')).toMatchObject({
      level: 30,
      source: { volume: 'data', node: { hostname: 'n1' } },
      target: 'data2',
    });
    expect(find('volume migration: finished')).toMatchObject({
      level: 30,
      outcome: 'Succeeded',
      message: r.status.conditions.find((c) => c.type === 'Ready')?.message,
    });
  });

  it('a stopped run, then its resumption', async () => {
    const h = harness({ deps: { runDeadlineMs: 500 } });
    h.setActors({ copy: async ({ signal }) => hang(signal) });
    const { ctx, find } = logged(h);
    const first = await h.reconciler.reconcile(resource(), ctx());
    expect(find('volume migration: stopped; the snapshot stays')).toMatchObject({
      level: 30,
      why: expect.any(String),
    });
    h.setActors({});
    await h.reconciler.reconcile(resource(), ctx(first.status));
    expect(find('volume migration: resumed from the stored snapshot')).toMatchObject({
      level: 30,
      resumedFrom: expect.anything(),
    });
  });

  it('a run that fails to start warns with the error', async () => {
    const store = new MemorySnapshotStore();
    store.load = () => Promise.reject(new Error('redis down'));
    const h = harness({ deps: { store } });
    const { ctx, find } = logged(h);
    await h.reconciler.reconcile(resource(), ctx());
    expect(find('volume migration: run failed; the snapshot stays')).toMatchObject({
      level: 40,
      err: { message: expect.stringMatching(/redis down/) },
    });
  });

  it('removal of a deleted run: its mode, then removed with the outcome', async () => {
    const h = harness();
    const res = resource();
    h.setResources([res]);
    h.setActors({
      copy: async ({ signal }) => {
        setTimeout(() => h.setResources([]), 5);
        return hang(signal);
      },
    });
    await h.reconciler.reconcile(res, h.ctx());
    h.setActors({});
    const { ctx, find } = logged(h);
    expect(await h.reconciler.remove!(KEY, undefined, ctx())).toEqual({ done: true });
    expect(find('volume migration deleted mid-run: finishing what it changed')).toMatchObject({
      mode: 'cancel',
    });
    expect(find('volume migration removed')).toMatchObject({
      outcome: 'RolledBack',
      message: expect.any(String),
    });
  });

  it('a snapshot that cannot be stored is a warning; the run goes on', async () => {
    const store = new MemorySnapshotStore();
    store.save = () => Promise.reject(new Error('redis full'));
    const h = harness({ deps: { store } });
    const { ctx, find } = logged(h);
    const r = await h.reconciler.reconcile(resource(), ctx());
    expect(r.status['phase']).toBe('Succeeded');
    expect(find('a migration snapshot could not be stored')).toMatchObject({
      level: 40,
      err: { message: expect.stringMatching(/redis full/) },
    });
  });
});
