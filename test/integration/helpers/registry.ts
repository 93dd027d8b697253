/** The lab registry for image tests: added to the shared lab when it has none; images pushed to it. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labUp, type LabEnv } from '../../lab/lab.js';
import { docker } from './run.js';

/** host:port of the lab registry; `lab up` of the same shape only adds what is missing. */
export async function ensureRegistry(lab: LabEnv): Promise<string> {
  if (lab.registry) return lab.registry;
  const up = await labUp({
    name: lab.name,
    nodes: lab.nodes.filter((n) => n.role !== 'none').length,
    managers: lab.nodes.filter((n) => n.role === 'manager').length,
    registry: true,
  });
  if (!up.registry) throw new Error('lab up --registry gave no REGISTRY');
  return up.registry;
}

/** Builds `FROM local/busybox:1` with a label (a new digest per label), pushes it as `image`; its digest. */
export async function pushImage(image: string, label: string): Promise<string> {
  const ctx = mkdtempSync(join(tmpdir(), 'sk-image-'));
  try {
    mkdirSync(join(ctx, 'b'));
    writeFileSync(join(ctx, 'b', 'Dockerfile'), `FROM local/busybox:1\nLABEL swarmkeeper.test=${label}\n`);
    await docker(['build', '-q', '-t', image, join(ctx, 'b')]);
    const out = (await docker(['push', image])).stdout;
    const m = /digest: (sha256:[0-9a-f]{64})/.exec(out);
    if (!m?.[1]) throw new Error(`no digest in docker push output:\n${out}`);
    return m[1];
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
}

/** docker's warning for an image it could not pin (moby client digestWarning), without its last newline. */
export const digestWarning = (image: string): string =>
  `image ${image} could not be accessed on a registry to record\nits digest. Each node will access ${image} independently,\npossibly leading to different nodes running different\nversions of the image.`;
