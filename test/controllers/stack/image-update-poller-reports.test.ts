// What the image update poller reports and asks: status warnings word for word, poll counts by
// policy, log lines, and the exact questions it puts to the registry (fakes of the two registry ports).
import { describe, expect, it } from 'vitest';
import {
  ImageUpdatePoller,
  pollWarning,
  type ImageWatch,
} from '../../../controllers/stack/image-update-poller.js';
import type { ImageResolver, RegistryTags } from '../../../controllers/ports.js';
import { memoryLogger } from './reconcile-world.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const DIG: ImageWatch = { image: `reg:5000/app:1@${D1}`, policy: { kind: 'digest' } };
const SEM: ImageWatch = { image: 'reg:5000/api:1.2.1', policy: { kind: 'semver', range: '^1.2' } };

function setup(opts: { down?: boolean; tags?: string[] } = {}) {
  const asked: string[] = [];
  const resolver: ImageResolver = {
    resolveImage: async (ref) => {
      asked.push(`digest ${ref}`);
      if (opts.down) throw new Error('connect ECONNREFUSED');
      return { digest: D1, platforms: [] };
    },
  };
  const tags: RegistryTags = {
    listTags: async (repo) => {
      asked.push(`tags ${repo}`);
      if (opts.down) throw new Error('connect ECONNREFUSED');
      return opts.tags ?? ['1.3.0', '1.2.1', '2.0.0'];
    },
  };
  const { logger, lines } = memoryLogger();
  const polls: string[] = [];
  const enqueued: string[] = [];
  const p = new ImageUpdatePoller({
    resolver,
    tags,
    intervalMs: 60_000,
    enqueue: async (key) => void enqueued.push(key),
    logger,
    onPoll: (policy, result) => polls.push(`${policy} ${result}`),
  });
  return { p, asked, polls, lines, enqueued };
}

describe('pollWarning', () => {
  it.each([
    [
      SEM,
      'image update (semver ^1.2): the tags of reg:5000/api could not be listed; reg:5000/api:1.2.1 is kept',
    ],
    [
      { image: 'nginx:1.25', policy: { kind: 'semver', range: '~1.25' } } as ImageWatch,
      'image update (semver ~1.25): the tags of docker.io/library/nginx could not be listed; nginx:1.25 is kept',
    ],
    [
      { image: 'reg:5000/app:1', policy: { kind: 'digest' } } as ImageWatch,
      'image update (digest): the digest of reg:5000/app:1 could not be read from its registry; the running digest is kept',
    ],
  ])('%j', (w, want) => expect(pollWarning(w.image, w.policy)).toBe(want));
});

describe('ImageUpdatePoller asks and reports', () => {
  it('asks for the digest of the tag without its pinned digest, and the sorted tags of the repository', async () => {
    const { p, asked, polls } = setup();
    p.watch('S/a', [DIG, SEM]);
    await p.poll();
    // (watch starts a poll of the new images; the explicit poll asked during it runs one more pass)
    expect([...new Set(asked)].sort()).toStrictEqual(['digest reg:5000/app:1', 'tags reg:5000/api']);
    expect(p.factsOf(SEM.image, SEM.policy)).toStrictEqual({ tags: ['1.2.1', '1.3.0', '2.0.0'] });
    expect([...new Set(polls)].sort()).toStrictEqual(['digest ok', 'semver ok']);
  });

  it('a registry down is counted by policy and logged with the image', async () => {
    const { p, polls, lines } = setup({ down: true });
    p.watch('S/a', [SEM]);
    await p.poll();
    expect([...new Set(polls)]).toStrictEqual(['semver unreachable']);
    expect(lines.find((l) => l.msg === 'image update: registry not reachable')).toMatchObject({
      level: 40,
      image: SEM.image,
      err: { message: 'connect ECONNREFUSED' },
    });
    expect(p.warningsOf([SEM, DIG])).toStrictEqual([pollWarning(SEM.image, SEM.policy)]);
  });

  it('a stack that follows only known images is enqueued by the poll that learned them, once', async () => {
    const { p, enqueued } = setup();
    p.watch('S/a', [SEM]);
    await p.poll();
    expect(enqueued).toStrictEqual(['S/a']);
    p.watch('S/b', [SEM]);
    await p.poll();
    expect(enqueued).toStrictEqual(['S/a']);
  });

  it('a rollback is logged with the service and the image sent, and that image is rejected', () => {
    const { p, lines } = setup();
    p.rolledBack('web');
    expect(lines).toStrictEqual([]);
    p.sent('web', 'reg:5000/app:1.3.0');
    p.rolledBack('web');
    expect(lines.find((l) => l.level === 40)).toMatchObject({
      service: 'web',
      image: 'reg:5000/app:1.3.0',
      msg: 'image update rolled back: not retried until the tag moves',
    });
    expect([...p.rejected()]).toStrictEqual(['reg:5000/app:1.3.0']);
  });
});
