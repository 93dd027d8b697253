import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  factKey,
  ImageUpdatePoller,
  pollWarning,
  type ImageWatch,
} from '../../../controllers/stack/image-update-poller.js';
import type { ImageResolver, RegistryTags } from '../../../controllers/ports.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const DIG: ImageWatch = { image: 'reg:5000/app:1', policy: { kind: 'digest' } };
const SEM: ImageWatch = { image: 'reg:5000/api:1.2.1', policy: { kind: 'semver', range: '^1.2' } };

/** A registry whose answers the test sets; `down` makes every call reject. */
function fakeRegistry() {
  const state = { digest: D1, tags: ['1.2.1'], down: false, calls: 0 };
  const resolver: ImageResolver = {
    resolveImage: async () => {
      state.calls++;
      if (state.down) throw new Error('connection refused');
      return { digest: state.digest, platforms: [] };
    },
  };
  const tags: RegistryTags = {
    listTags: async () => {
      state.calls++;
      if (state.down) throw new Error('connection refused');
      return [...state.tags];
    },
  };
  return { state, resolver, tags };
}

function poller(withTags = true) {
  const reg = fakeRegistry();
  const enqueued: string[] = [];
  const polls: string[] = [];
  const p = new ImageUpdatePoller({
    resolver: reg.resolver,
    ...(withTags ? { tags: reg.tags } : {}),
    intervalMs: 60_000,
    enqueue: async (key) => void enqueued.push(key),
    logger: pino({ level: 'silent' }),
    onPoll: (policy, result) => polls.push(`${policy} ${result}`),
  });
  return { p, reg, enqueued, polls };
}

describe('factKey', () => {
  it.each([
    ['reg:5000/app:1', { kind: 'digest' } as const, 'digest reg:5000/app:1'],
    [`reg:5000/app:1@${D1}`, { kind: 'digest' } as const, 'digest reg:5000/app:1'],
    ['reg:5000/app:1.2.1', { kind: 'semver', range: '^1' } as const, 'tags reg:5000/app'],
    ['nginx:1', { kind: 'semver', range: '^1' } as const, 'tags docker.io/library/nginx'],
    ['reg:5000/app:1', { kind: 'off' } as const, undefined],
    ['Not:A:Ref', { kind: 'digest' } as const, undefined],
    ['Not:A:Ref', { kind: 'semver', range: '^1' } as const, undefined],
  ])('%s under %j is %s', (image, policy, want) => expect(factKey(image, policy)).toBe(want));
});

describe('ImageUpdatePoller', () => {
  it('polls a newly followed image at once and enqueues the stacks following it', async () => {
    const { p, enqueued } = poller();
    p.watch('S/a', [DIG, SEM]);
    p.watch('S/b', [DIG]);
    await p.poll();
    expect(p.factsOf(DIG.image, DIG.policy)).toEqual({ resolution: { ok: true, digest: D1, platforms: [] } });
    expect(p.factsOf(SEM.image, SEM.policy)).toEqual({ tags: ['1.2.1'] });
    expect(new Set(enqueued)).toEqual(new Set(['S/a', 'S/b']));
  });

  it('enqueues only the stacks whose facts changed, once per change', async () => {
    const { p, reg, enqueued } = poller();
    p.watch('S/a', [DIG]);
    p.watch('S/b', [SEM]);
    await p.poll();
    enqueued.length = 0;
    await p.poll();
    expect(enqueued).toEqual([]);
    reg.state.digest = D2;
    await p.poll();
    await p.poll();
    expect(enqueued).toEqual(['S/a']);
    reg.state.tags = ['1.3.0', '1.2.1'];
    await p.poll();
    expect(enqueued).toEqual(['S/a', 'S/b']);
  });

  it('a registry that is down keeps the last facts and warns once, until it answers again', async () => {
    const { p, reg, enqueued, polls } = poller();
    p.watch('S/a', [DIG, SEM]);
    await p.poll();
    expect(p.warningsOf([DIG, SEM])).toEqual([]);
    enqueued.length = 0;
    reg.state.down = true;
    await p.poll();
    await p.poll();
    expect(enqueued).toEqual(['S/a']);
    expect(p.factsOf(DIG.image, DIG.policy)?.resolution).toMatchObject({ ok: true, digest: D1 });
    expect(p.warningsOf([DIG, SEM])).toEqual([
      pollWarning(DIG.image, DIG.policy),
      pollWarning(SEM.image, SEM.policy),
    ]);
    expect(polls.filter((x) => x.endsWith('unreachable'))).toHaveLength(4);
    reg.state.down = false;
    await p.poll();
    expect(enqueued).toEqual(['S/a', 'S/a']);
    expect(p.warningsOf([DIG, SEM])).toEqual([]);
  });

  it('an image no stack follows any more is not polled', async () => {
    const { p, reg } = poller();
    p.watch('S/a', [DIG]);
    await p.poll();
    p.watch('S/a', []);
    const calls = reg.state.calls;
    await p.poll();
    expect(reg.state.calls).toBe(calls);
  });

  it('without a tags client, semver is not polled', async () => {
    const { p } = poller(false);
    p.watch('S/a', [SEM]);
    await p.poll();
    expect(p.factsOf(SEM.image, SEM.policy)).toBeUndefined();
    expect(p.warningsOf([SEM])).toEqual([]);
  });

  it('a rollback rejects the last change sent to that service, once', () => {
    const { p } = poller();
    p.rolledBack('app_web');
    expect([...p.rejected()]).toEqual([]);
    p.sent('app_web', `reg:5000/app:1@${D2}`);
    p.rolledBack('app_web');
    p.rolledBack('app_web');
    expect([...p.rejected()]).toEqual([`reg:5000/app:1@${D2}`]);
  });
});
