// The floor of an idle Node controller built on the project's mandated packages, for
// bench/idle-memory.ts: a bare `node` process that loads BullMQ (with ioredis) and dockerode, opens a
// BullMQ Queue and Worker on REDIS_URL and a Docker events stream on DOCKER_HOST, and does nothing
// else: no CLI, no schemas, no compose code, no reconcile. Prints its RSS (MiB) once a second for
// SECONDS after a settle time, one number a line, each after a full GC (with --expose-gc).
//   REDIS_URL=redis://... DOCKER_HOST=unix://... node --expose-gc bench/lib/bare-node-idle.mjs SECONDS
import { setTimeout as sleep } from 'node:timers/promises';
import { URL } from 'node:url';
import { Queue, Worker } from 'bullmq';
import Docker from 'dockerode';

const seconds = Number(process.argv[2] ?? 20);
const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const connection = { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null };
const name = `bare-idle-${process.pid}`;
const queue = new Queue(name, { connection });
const worker = new Worker(name, async () => undefined, { connection });
const docker = new Docker({ socketPath: (process.env.DOCKER_HOST ?? '').replace(/^unix:\/\//, '') });
const events = await docker.getEvents({});
events.on('data', () => undefined);
await queue.add('one', {});
await sleep(3000);
globalThis.gc?.();
for (let i = 0; i < seconds; i++) {
  await sleep(1000);
  globalThis.gc?.(); // as swarmkeeper's idle GC: the heap at its smallest
  console.log((process.memoryUsage.rss() / 1048576).toFixed(1));
}
events.destroy();
await worker.close();
await queue.obliterate({ force: true });
await queue.close();
