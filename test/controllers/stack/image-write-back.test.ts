// Image write-back, step by step: which change is written to git (and in which form), which is
// skipped, what the written revision's labels say, which files are committed, and what the
// reconcile reports when the writer skips or fails.
import { describe, expect, it } from 'vitest';
import {
  composeFilesOf,
  followWrittenDigests,
  imageWrites,
  labelWrittenImages,
  writeBackImages,
} from '../../../controllers/stack/image-write-back.js';
import type { ImageWrite, ImageWriteBack, ImageWriteResult } from '../../../controllers/ports.js';
import type {
  DesiredObject,
  DesiredService,
  DesiredState,
  ImageUpdatePolicy,
} from '../../../reconciler/model/objects.js';
import { LABEL_STACK_IMAGE } from '../../../reconciler/model/ownership.js';
import type { ImageResolution } from '../../../reconciler/plan/image-pin.js';
import type { ImageChange } from '../../../reconciler/plan/image-update.js';
import { OWNER, net, svc } from '../../reconciler/plan/fixtures.js';
import { memoryLogger, stackRes } from './reconcile-world.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const SEMVER: ImageUpdatePolicy = { kind: 'semver', range: '^1' };
const DIGEST: ImageUpdatePolicy = { kind: 'digest' };
const OFF: ImageUpdatePolicy = { kind: 'off' };

/** Service `app_<name>` running `image`, written in the compose file as `label` (none: no Labels at all). */
function service(name: string, image: string, label?: string | null): DesiredService {
  const s = svc(name, {}, { Image: image });
  if (label === null) {
    const { Labels: _, ...spec } = s.spec;
    return { ...s, spec };
  }
  return { ...s, spec: { ...s.spec, Labels: { ...s.spec.Labels, [LABEL_STACK_IMAGE]: label ?? image } } };
}

const state = (objects: DesiredObject[], imageUpdates?: Record<string, ImageUpdatePolicy>): DesiredState => ({
  owner: OWNER,
  objects,
  ...(imageUpdates ? { imageUpdates } : {}),
});

const change = (service: string, to: string): ImageChange => ({ service, from: 'x', to, at: 't' });
const imageOf = (o: DesiredObject | undefined) =>
  o?.kind === 'service' ? o.spec.TaskTemplate.ContainerSpec.Image : undefined;
const labelOf = (o: DesiredObject | undefined) =>
  o?.kind === 'service' ? o.spec.Labels?.[LABEL_STACK_IMAGE] : undefined;

describe('imageWrites: what is written for each change', () => {
  const db = service('db', 'reg:5000/db:9');
  const cases: {
    name: string;
    changes: ImageChange[];
    written: DesiredState;
    decided: DesiredObject[];
    ns?: string;
    want: ImageWrite[];
  }[] = [
    {
      name: 'semver: the new tag, the stack prefix dropped from the service',
      changes: [change('app_web', 'reg:5000/app:1.3.0')],
      written: state([service('web', 'reg:5000/app:1.2.1')], { app_web: SEMVER }),
      decided: [service('web', 'reg:5000/app:1.3.0')],
      ns: 'app',
      want: [{ service: 'web', from: 'reg:5000/app:1.2.1', to: 'reg:5000/app:1.3.0' }],
    },
    {
      name: 'semver: the name as the file writes it (the label), not the familiar form',
      changes: [change('app_web', 'acme/app:1.3.0')],
      written: state([service('web', 'acme/app:1.2.1', 'docker.io/acme/app:1.2.1')], { app_web: SEMVER }),
      decided: [service('web', 'acme/app:1.3.0', 'docker.io/acme/app:1.2.1')],
      ns: 'app',
      want: [{ service: 'web', from: 'docker.io/acme/app:1.2.1', to: 'docker.io/acme/app:1.3.0' }],
    },
    {
      name: 'semver: a service without labels is written from its image',
      changes: [change('app_web', 'reg:5000/app:1.3.0')],
      written: state([service('web', 'reg:5000/app:1.2.1', null)], { app_web: SEMVER }),
      decided: [service('web', 'reg:5000/app:1.3.0', null)],
      want: [{ service: 'app_web', from: 'reg:5000/app:1.2.1', to: 'reg:5000/app:1.3.0' }],
    },
    {
      name: 'each service is read from its own object, whatever comes first',
      changes: [change('app_web', 'reg:5000/app:1.3.0')],
      written: state([db, net('web'), service('web', 'reg:5000/app:1.2.1')], { app_web: SEMVER }),
      decided: [db, net('web'), service('web', 'reg:5000/app:1.3.0')],
      ns: 'app',
      want: [{ service: 'web', from: 'reg:5000/app:1.2.1', to: 'reg:5000/app:1.3.0' }],
    },
    {
      name: 'semver: a decided image without a tag is not written',
      changes: [change('app_web', `reg:5000/app@${D2}`)],
      written: state([service('web', 'reg:5000/app:1.2.1')], { app_web: SEMVER }),
      decided: [service('web', `reg:5000/app@${D2}`)],
      want: [],
    },
    {
      name: 'semver: the same tag is no write',
      changes: [change('app_web', 'reg:5000/app:1.2.1')],
      written: state([service('web', 'reg:5000/app:1.2.1')], { app_web: SEMVER }),
      decided: [service('web', 'reg:5000/app:1.2.1')],
      want: [],
    },
    {
      name: 'digest: the tag as written with the digest sent',
      changes: [change('app_web', `reg:5000/app:1@${D2}`)],
      written: state([service('web', 'reg:5000/app:1', `reg:5000/app:1@${D1}`)], { app_web: DIGEST }),
      decided: [service('web', 'reg:5000/app:1')],
      ns: 'app',
      want: [{ service: 'web', from: `reg:5000/app:1@${D1}`, to: `reg:5000/app:1@${D2}` }],
    },
    {
      name: 'digest: a change without a digest is not written',
      changes: [change('app_web', 'reg:5000/app:1')],
      written: state([service('web', 'reg:5000/app:1')], { app_web: DIGEST }),
      decided: [service('web', 'reg:5000/app:1')],
      want: [],
    },
    {
      name: 'digest: a change that is no reference is not written',
      changes: [change('app_web', 'Not/A:Ref')],
      written: state([service('web', 'reg:5000/app:1')], { app_web: DIGEST }),
      decided: [service('web', 'reg:5000/app:1')],
      want: [],
    },
    {
      name: 'digest: the digest already written is no write',
      changes: [change('app_web', `reg:5000/app:1@${D1}`)],
      written: state([service('web', 'reg:5000/app:1', `reg:5000/app:1@${D1}`)], { app_web: DIGEST }),
      decided: [service('web', 'reg:5000/app:1')],
      want: [],
    },
    {
      name: 'off: nothing is written, even for a digest',
      changes: [change('app_web', `reg:5000/app:1@${D2}`)],
      written: state([service('web', 'reg:5000/app:1')], { app_web: OFF }),
      decided: [service('web', 'reg:5000/app:1')],
      want: [],
    },
    {
      name: 'a service without a policy is not written',
      changes: [change('app_web', `reg:5000/app:1@${D2}`)],
      written: state([service('web', 'reg:5000/app:1')], { app_db: DIGEST }),
      decided: [service('web', 'reg:5000/app:1')],
      want: [],
    },
    {
      name: 'a stack without policies writes nothing',
      changes: [change('app_web', `reg:5000/app:1@${D2}`)],
      written: state([service('web', 'reg:5000/app:1')]),
      decided: [service('web', 'reg:5000/app:1')],
      want: [],
    },
    {
      name: 'a service the revision does not have is not written',
      changes: [change('app_web', `reg:5000/app:1@${D2}`)],
      written: state([db], { app_web: DIGEST }),
      decided: [service('web', 'reg:5000/app:1')],
      want: [],
    },
    {
      name: 'a service the policies did not decide is not written',
      changes: [change('app_web', `reg:5000/app:1@${D2}`)],
      written: state([service('web', 'reg:5000/app:1')], { app_web: DIGEST }),
      decided: [db],
      want: [],
    },
    {
      name: 'a service outside the stack prefix keeps its whole name',
      changes: [change('web', 'reg:5000/app:1.3.0')],
      written: state([{ ...service('x', 'reg:5000/app:1.2.1'), name: 'web' }], { web: SEMVER }),
      decided: [{ ...service('x', 'reg:5000/app:1.3.0'), name: 'web' }],
      ns: 'app',
      want: [{ service: 'web', from: 'reg:5000/app:1.2.1', to: 'reg:5000/app:1.3.0' }],
    },
  ];
  it.each(cases)('$name', ({ changes, written, decided, ns, want }) => {
    expect(imageWrites(changes, written, { ...written, objects: decided }, ns)).toEqual(want);
  });
});

describe('followWrittenDigests: a digest service follows the tag of its written tag@digest', () => {
  const cases: { name: string; policy?: ImageUpdatePolicy; image: string; want: string }[] = [
    {
      name: 'digest, tag@digest: the tag',
      policy: DIGEST,
      image: `reg:5000/app:1@${D1}`,
      want: 'reg:5000/app:1',
    },
    {
      name: 'digest, digest only: kept',
      policy: DIGEST,
      image: `reg:5000/app@${D1}`,
      want: `reg:5000/app@${D1}`,
    },
    { name: 'digest, short name digest only: kept', policy: DIGEST, image: `app@${D1}`, want: `app@${D1}` },
    { name: 'digest, tag only: kept', policy: DIGEST, image: 'reg:5000/app:1', want: 'reg:5000/app:1' },
    {
      name: 'semver, tag@digest: kept',
      policy: SEMVER,
      image: `reg:5000/app:1@${D1}`,
      want: `reg:5000/app:1@${D1}`,
    },
    { name: 'no policy, tag@digest: kept', image: `reg:5000/app:1@${D1}`, want: `reg:5000/app:1@${D1}` },
  ];
  it.each(cases)('$name', ({ policy, image, want }) => {
    const d = state([net('web'), service('web', image)], policy ? { app_web: policy } : { app_db: DIGEST });
    const out = followWrittenDigests(d);
    expect(imageOf(out.objects.find((o) => o.kind === 'service'))).toBe(want);
    expect(out.objects[0]).toEqual(net('web'));
  });

  it('a stack without policies is kept', () => {
    const d = state([service('web', `reg:5000/app:1@${D1}`)]);
    expect(followWrittenDigests(d)).toEqual(d);
  });
});

describe('labelWrittenImages: the label says what write-back writes', () => {
  const ok = (digest: string): ImageResolution => ({ ok: true, digest, platforms: [] });
  const cases: {
    name: string;
    written: DesiredState;
    objects: DesiredObject[];
    resolutions?: Record<string, ImageResolution>;
    want: (string | undefined)[];
  }[] = [
    {
      name: 'semver: the new tag in the form the file has',
      written: state([service('web', 'acme/app:1.2.1', 'docker.io/acme/app:1.2.1')], { app_web: SEMVER }),
      objects: [service('web', 'acme/app:1.3.0', 'docker.io/acme/app:1.2.1')],
      want: ['docker.io/acme/app:1.3.0'],
    },
    {
      name: 'semver: the same tag keeps the label',
      written: state([service('web', 'reg:5000/app:1.2.1')], { app_web: SEMVER }),
      objects: [service('web', 'reg:5000/app:1.2.1')],
      want: ['reg:5000/app:1.2.1'],
    },
    {
      name: 'digest: tag@digest of the resolution',
      written: state([service('web', 'reg:5000/app:1')], { app_web: DIGEST }),
      objects: [service('web', 'reg:5000/app:1')],
      resolutions: { 'reg:5000/app:1': ok(D2) },
      want: [`reg:5000/app:1@${D2}`],
    },
    {
      name: 'digest: the written digest is replaced',
      written: state([service('web', 'reg:5000/app:1', `reg:5000/app:1@${D1}`)], { app_web: DIGEST }),
      objects: [service('web', 'reg:5000/app:1', `reg:5000/app:1@${D1}`)],
      resolutions: { 'reg:5000/app:1': ok(D2) },
      want: [`reg:5000/app:1@${D2}`],
    },
    {
      name: 'digest: a failed resolution keeps the label',
      written: state([service('web', 'reg:5000/app:1')], { app_web: DIGEST }),
      objects: [service('web', 'reg:5000/app:1')],
      resolutions: { 'reg:5000/app:1': { ok: false } },
      want: ['reg:5000/app:1'],
    },
    {
      name: 'digest: no resolution keeps the label',
      written: state([service('web', 'reg:5000/app:1')], { app_web: DIGEST }),
      objects: [service('web', 'reg:5000/app:1')],
      want: ['reg:5000/app:1'],
    },
    {
      name: 'off keeps the label',
      written: state([service('web', 'reg:5000/app:1')], { app_web: OFF }),
      objects: [service('web', 'reg:5000/app:1')],
      resolutions: { 'reg:5000/app:1': ok(D2) },
      want: ['reg:5000/app:1'],
    },
    {
      name: 'no policy keeps the label',
      written: state([service('web', 'reg:5000/app:1.2.1')], { app_db: SEMVER }),
      objects: [service('web', 'reg:5000/app:1.3.0', 'reg:5000/app:1.2.1')],
      want: ['reg:5000/app:1.2.1'],
    },
    {
      name: 'a stack without policies keeps the label',
      written: state([service('web', 'reg:5000/app:1.2.1')]),
      objects: [service('web', 'reg:5000/app:1.3.0', 'reg:5000/app:1.2.1')],
      want: ['reg:5000/app:1.2.1'],
    },
    {
      name: 'a service without labels gets none',
      written: state([service('web', 'reg:5000/app:1.2.1', null)], { app_web: SEMVER }),
      objects: [service('web', 'reg:5000/app:1.3.0', null)],
      want: [undefined],
    },
    {
      name: 'a label other than the written image is left alone',
      written: state([service('web', 'reg:5000/app:1.2.1')], { app_web: SEMVER }),
      objects: [service('web', 'reg:5000/app:1.3.0', 'reg:5000/other:1.0.0')],
      want: ['reg:5000/other:1.0.0'],
    },
    {
      name: 'a service the revision does not have is left alone',
      written: state([service('db', 'reg:5000/db:1')], { app_web: DIGEST }),
      objects: [service('web', 'reg:5000/app:1')],
      resolutions: { 'reg:5000/app:1': ok(D2) },
      want: ['reg:5000/app:1'],
    },
    {
      name: 'an object that is no service is left alone',
      written: state([service('web', 'reg:5000/app:1')], { app_web: DIGEST }),
      objects: [net('web'), service('web', 'reg:5000/app:1')],
      resolutions: { 'reg:5000/app:1': ok(D2) },
      want: [undefined, `reg:5000/app:1@${D2}`],
    },
  ];
  it.each(cases)('$name', ({ written, objects, resolutions, want }) => {
    const out = labelWrittenImages(written, objects, resolutions ?? {});
    expect(out.map(labelOf)).toEqual(want);
    expect(out.map(imageOf)).toEqual(objects.map(imageOf));
    if (objects[0]?.kind === 'network') expect(out[0]).toEqual(objects[0]);
  });
});

describe('composeFilesOf: the files write-back edits', () => {
  it.each([
    {
      name: 'a stack: its compose files in overlay order, under its folder',
      res: stackRes({}, { baseDir: 'app', specExtra: { composeFiles: ['base.yml', 'prod.yml'] } }),
      want: ['app/base.yml', 'app/prod.yml'],
    },
    {
      name: 'a stack from a compose file: that file',
      res: stackRes({}, { baseDir: 'app', specExtra: { composeFile: 'compose.yml' } }),
      want: ['app/compose.yml'],
    },
    {
      name: 'another kind: the file it was read from',
      res: { ...stackRes({}, { specExtra: { composeFile: 'compose.yml' } }), kind: 'SwarmOther' },
      want: ['app.yaml'],
    },
  ])('$name', ({ res, want }) => {
    expect(composeFilesOf(res)).toEqual(want);
  });
});

describe('writeBackImages: the writer is called and its outcome reported', () => {
  const written = state([service('web', 'reg:5000/app:1.2.1')], { app_web: SEMVER });
  const decided = [service('web', 'reg:5000/app:1.3.0')];
  const changes = [change('app_web', 'reg:5000/app:1.3.0')];
  const res = stackRes({}, { baseDir: 'app', specExtra: { composeFile: 'compose.yml' } });
  const WRITE: ImageWrite = { service: 'web', from: 'reg:5000/app:1.2.1', to: 'reg:5000/app:1.3.0' };

  function writer(outcome: ImageWriteResult | Error) {
    const calls: { stack: string; files: readonly string[]; writes: readonly ImageWrite[] }[] = [];
    const w: ImageWriteBack = {
      write: async (stack, files, writes) => {
        calls.push({ stack, files, writes });
        if (outcome instanceof Error) throw outcome;
        return outcome;
      },
    };
    return { w, calls };
  }

  it('nothing to write: the writer is not called and nothing is reported', async () => {
    const { w, calls } = writer({ commit: 'c1', written: [], skipped: ['never'] });
    const { logger, lines } = memoryLogger();
    const out = await writeBackImages(
      w,
      res,
      { desired: written, stackNamespace: 'app' },
      decided,
      [],
      logger,
    );
    expect(out).toEqual([]);
    expect(calls).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('a push: the stack namespace, the compose files and the writes; the commit is logged', async () => {
    const { w, calls } = writer({ commit: 'c1', written: [WRITE], skipped: [] });
    const { logger, lines } = memoryLogger();
    const out = await writeBackImages(
      w,
      res,
      { desired: written, stackNamespace: 'app' },
      decided,
      changes,
      logger,
    );
    expect(out).toEqual([]);
    expect(calls).toEqual([{ stack: 'app', files: ['app/compose.yml'], writes: [WRITE] }]);
    expect(lines.map(({ level, msg, commit, images }) => ({ level, msg, commit, images }))).toEqual([
      { level: 30, msg: 'image write-back pushed', commit: 'c1', images: [WRITE] },
    ]);
  });

  it('a stack named otherwise than the resource is written under its stack namespace', async () => {
    const { w, calls } = writer({ commit: 'c1', written: [WRITE], skipped: [] });
    const renamed = { ...written, objects: [{ ...service('x', 'reg:5000/app:1.2.1'), name: 'prod_web' }] };
    const out = await writeBackImages(
      w,
      res,
      { desired: { ...renamed, imageUpdates: { prod_web: SEMVER } }, stackNamespace: 'prod' },
      [{ ...service('x', 'reg:5000/app:1.3.0'), name: 'prod_web' }],
      [change('prod_web', 'reg:5000/app:1.3.0')],
      memoryLogger().logger,
    );
    expect(out).toEqual([]);
    expect(calls.map((c) => [c.stack, c.writes])).toEqual([['prod', [WRITE]]]);
  });

  it('without a stack namespace the resource name is the stack', async () => {
    const { w, calls } = writer({ written: [], skipped: [] });
    await writeBackImages(w, res, { desired: written }, decided, changes, memoryLogger().logger);
    expect(calls.map((c) => c.stack)).toEqual(['app']);
  });

  it('skipped writes: no commit logged, each reason warned and returned for status', async () => {
    const { w } = writer({ written: [], skipped: ['web: the image is an alias', 'db: git moved on'] });
    const { logger, lines } = memoryLogger();
    const out = await writeBackImages(
      w,
      res,
      { desired: written, stackNamespace: 'app' },
      decided,
      changes,
      logger,
    );
    expect(out).toEqual([
      'image write-back: web: the image is an alias',
      'image write-back: db: git moved on',
    ]);
    expect(lines.map(({ level, msg, reason }) => ({ level, msg, reason }))).toEqual([
      { level: 40, msg: 'image write-back: not written', reason: 'web: the image is an alias' },
      { level: 40, msg: 'image write-back: not written', reason: 'db: git moved on' },
    ]);
  });

  it('a failing writer: the error is warned and returned, never thrown', async () => {
    const { w } = writer(new Error('push refused'));
    const { logger, lines } = memoryLogger();
    const out = await writeBackImages(
      w,
      res,
      { desired: written, stackNamespace: 'app' },
      decided,
      changes,
      logger,
    );
    expect(out).toEqual(['image write-back failed: push refused']);
    expect(lines.map(({ level, msg, err }) => ({ level, msg, err }))).toEqual([
      { level: 40, msg: 'image write-back failed', err: 'push refused' },
    ]);
  });
});
