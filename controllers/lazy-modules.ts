/**
 * Dependencies' modules that `swarmkeeper run` never calls, kept out of the process until called.
 *
 * Each is put in the CommonJS module cache, before its parent package is loaded, as a stand-in
 * that loads the real module on first use (a call, or a property read). The parent's own
 * `require(...)` then gets the stand-in. What they weigh when loaded (Node 24): together ~2.1 MB of
 * source in ~190 modules, each kept in the heap as source text and compiled code, and ssh2's
 * poly1305 WebAssembly instance with a 16 MiB memory.
 *
 * - dockerode's BuildKit session (`lib/session.js`: @grpc/grpc-js, @grpc/proto-loader,
 *   protobufjs), used only by `buildImage` with BuildKit;
 * - docker-modem's ssh:// transport (`lib/ssh.js`: ssh2), used only for an ssh:// Docker host,
 *   which swarmkeeper's connection settings do not accept;
 * - cron-parser (and luxon behind it), used by BullMQ's job schedulers (repeatable jobs), which
 *   the work queue does not create;
 * - @opentelemetry/api, which prom-client's process CPU metric reads only for exemplars;
 * - BullMQ's PostgreSQL backend (`dist/cjs/postgres`, 0.4 MB with its SQL text): this one is
 *   replaced by an empty module, not loaded on use. BullMQ's index re-exports it with
 *   `export *`, which copies the names present when it loads, so `bullmq` in this process has no
 *   `Postgres*` exports. swarmkeeper's queue is on Redis.
 *
 * And two of Node's builtins, `tls` and `https` (DEFERRED_BUILTINS): ioredis's connectors and
 * docker-modem require them at load, for a `rediss://` Redis or a Docker host over TLS only. Loading
 * `tls` costs a Node 24 process ~3 MiB (measured: bench/README.md, idle-memory, fourth round). Node
 * looks a request without `node:` up in the module cache before its builtins, so a stand-in under
 * the bare name gets those requires, and loads `node:<name>` on first use (then leaves the cache:
 * later requires get the builtin itself). Node's own modules (`https` loads `tls`) are not affected.
 *
 * A module that is already loaded is left alone, so this is safe to call at any time (it only
 * helps before the parents load) and more than once.
 */
import { createRequire, Module } from 'node:module';

const require = createRequire(import.meta.url);

type Stand = 'call' | 'properties' | 'empty';

export interface DeferredModule {
  /** The package whose code requires it, and the packages that lead to it from here (resolved in turn from each one's main file). */
  from: readonly string[];
  /** What the parent requires, resolved from `from`. */
  request: string;
  /** `call`: its export is a function; `properties`: an object read by property; `empty`: `{}` forever. */
  stand: Stand;
}

export const DEFERRED_MODULES: readonly DeferredModule[] = [
  { from: ['dockerode'], request: './session.js', stand: 'call' },
  { from: ['dockerode', 'docker-modem'], request: './ssh.js', stand: 'call' },
  { from: ['bullmq'], request: 'cron-parser', stand: 'properties' },
  { from: ['prom-client'], request: '@opentelemetry/api', stand: 'properties' },
  { from: ['bullmq'], request: './postgres/index.js', stand: 'empty' },
];

/** Builtins stood in for under their bare name (the cache key Node checks first). */
export const DEFERRED_BUILTINS = ['tls', 'https'] as const;

const builtinLoaded = (name: string): boolean =>
  (process as unknown as { moduleLoadList: string[] }).moduleLoadList.includes(`NativeModule ${name}`);

/** The file `spec` stands for, or undefined when the packages are laid out otherwise. */
export function deferredFile(spec: DeferredModule): string | undefined {
  try {
    let req = require;
    for (const pkg of spec.from) req = createRequire(req.resolve(pkg));
    return req.resolve(spec.request);
  } catch {
    return undefined;
  }
}

/** Puts a stand-in for each of DEFERRED_MODULES in the module cache; returns the files it deferred. */
export function deferUnusedModules(): string[] {
  const done: string[] = [];
  for (const spec of DEFERRED_MODULES) {
    const file = deferredFile(spec);
    if (file === undefined || require.cache[file]) continue;
    const stand = new Module(file);
    stand.filename = file;
    stand.loaded = true;
    stand.exports = standIn(file, spec.stand);
    require.cache[file] = stand;
    done.push(file);
  }
  for (const name of DEFERRED_BUILTINS) {
    if (require.cache[name] || builtinLoaded(name)) continue;
    const stand = new Module(name);
    stand.loaded = true;
    stand.exports = standIn(name, 'properties', `node:${name}`);
    require.cache[name] = stand;
    done.push(name);
  }
  return done;
}

/** The stand-in of the module cached as `key`, which loads `request` (default: `key`). */
function standIn(key: string, stand: Stand, request = key): unknown {
  if (stand === 'empty') return {};
  let real: unknown;
  const load = (): unknown => {
    if (real === undefined) {
      delete require.cache[key];
      real = require(request);
    }
    return real;
  };
  if (stand === 'call')
    return function (this: unknown, ...args: unknown[]): unknown {
      return Reflect.apply(load() as (...a: unknown[]) => unknown, this, args);
    };
  return new Proxy(
    {},
    {
      get: (_t, key) => Reflect.get(load() as object, key),
      has: (_t, key) => Reflect.has(load() as object, key),
    },
  );
}
