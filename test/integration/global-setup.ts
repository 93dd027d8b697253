// vitest globalSetup of the `integration` project: brings the test lab (test/lab) up once for all files.
//   SK_LAB_NODES=N      nodes (default 1); SK_LAB_MANAGERS=M (default 1)
//   SK_LAB_REGISTRY=1   also start the registry; SK_LAB_PLUGIN=1 also build + push the volume plugin
//   SK_LAB_REUSE=1      use a lab of the same shape that is already up (else a recorded lab is replaced)
//   SK_LAB_KEEP=1       leave the lab running at the end
// Tests read it with `inject('lab')`; the KEY=VALUE variables are also exported to process.env, so
// child processes (the swarmkeeper CLI, docker) see DOCKER_HOST, REDIS_URL, NODE_<i>_* etc.
import type { TestProject } from 'vitest/node';
import { labDown, labUp, readLabEnv, type LabEnv } from '../lab/lab.js';

declare module 'vitest' {
  export interface ProvidedContext {
    lab: LabEnv;
  }
}

function count(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer (got '${raw}')`);
  return n;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const opts = {
    nodes: count('SK_LAB_NODES', 1),
    managers: count('SK_LAB_MANAGERS', 1),
    registry: process.env.SK_LAB_REGISTRY === '1',
    plugin: process.env.SK_LAB_PLUGIN === '1',
  };
  // `lab up` is idempotent for the same shape, so reuse is just "up without a down first"
  if (process.env.SK_LAB_REUSE !== '1' && (await readLabEnv()) !== undefined) await labDown();
  const started = Date.now();
  const lab = await labUp(opts);
  console.error(`[lab] ${lab.name}: ${lab.nodes.length} node(s) ready in ${Date.now() - started} ms`);
  Object.assign(process.env, lab.vars);
  project.provide('lab', lab);
  return async () => {
    if (process.env.SK_LAB_KEEP === '1') {
      console.error(`[lab] ${lab.name} kept (SK_LAB_KEEP=1); stop it with test/lab/lab down`);
      return;
    }
    await labDown();
  };
}
