/**
 * The objects a compose file declares `external: true` (networks, configs, secrets) must exist before
 * either deployer runs, as they would on a real swarm: this reads them from the file and creates the
 * missing ones (overlay networks with swarm scope; configs and secrets with a fixed test value).
 */
import { spawn } from 'node:child_process';
import { parse } from 'yaml';
import { docker, run, DOCKER } from './cli.js';

export type ExternalKind = 'network' | 'config' | 'secret';

export interface ExternalObject {
  kind: ExternalKind;
  /** The Swarm name: `name:` when given, else the compose key. */
  name: string;
}

type Section = Record<string, { external?: unknown; name?: unknown } | null> | undefined;

/** Every external network, config and secret of a compose text (with merge keys resolved). */
export function externalsOf(text: string): ExternalObject[] {
  const doc = (parse(text, { merge: true }) ?? {}) as Record<string, Section>;
  const out: ExternalObject[] = [];
  for (const [section, kind] of [
    ['networks', 'network'],
    ['configs', 'config'],
    ['secrets', 'secret'],
  ] as const) {
    for (const [key, def] of Object.entries(doc[section] ?? {})) {
      const ext = def?.external;
      const isExternal = ext === true || (typeof ext === 'object' && ext !== null);
      if (!isExternal) continue;
      const legacy = typeof ext === 'object' && ext !== null ? (ext as { name?: unknown }).name : undefined;
      out.push({ kind, name: String(def?.name ?? legacy ?? key) });
    }
  }
  return out;
}

async function existsObject(o: ExternalObject): Promise<boolean> {
  return (await docker([o.kind, 'inspect', o.name], true)).code === 0;
}

/** Creates each missing object; returns the ones it created (for removal at the end). */
export async function ensureExternals(objects: ExternalObject[]): Promise<ExternalObject[]> {
  const created: ExternalObject[] = [];
  for (const o of objects) {
    if (await existsObject(o)) continue;
    let r;
    if (o.kind === 'network')
      r = await run(DOCKER, ['network', 'create', '--driver', 'overlay', '--scope', 'swarm', o.name]);
    else r = await runWithStdin([o.kind, 'create', o.name, '-'], `corpus external ${o.kind} ${o.name}\n`);
    // Two cases may share an external object and create it at the same time: the loser sees it exist.
    if (r.code !== 0 && !(await existsObject(o)))
      throw new Error(`creating external ${o.kind} ${o.name} failed: ${r.stderr.trim()}`);
    if (r.code === 0) created.push(o);
  }
  return created;
}

/** Removes the given objects (networks last, as services may still hold them briefly). */
export async function removeExternals(objects: ExternalObject[]): Promise<void> {
  for (const kind of ['secret', 'config', 'network'] as const) {
    const names = objects.filter((o) => o.kind === kind).map((o) => o.name);
    if (names.length > 0) await docker([kind, 'rm', ...names], true);
  }
}

function runWithStdin(args: string[], input: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(DOCKER, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('close', (code) => resolve({ code: code ?? 1, stderr }));
    child.stdin.end(input);
  });
}
