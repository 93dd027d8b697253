/**
 * Writes hostile cases to disk: each case's files as a stack folder beside a valid sibling.
 * Shared by the in-process runner and the integration runner (which writes the whole corpus
 * into one root, each case in its own folder).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FileSpec, HostileCase } from './case.js';

/** Every case of every `cases/*.ts` file, in file then declaration order. */
/**
 * Classes whose cases need the controller's settings (a policy file, allowed variables, bounds):
 * test/reconciler/validate/hostile-corpus.test.ts runs them with those settings; the runners here
 * (files, links, YAML, encodings) run the others.
 */
export const SETTINGS_CLASSES: ReadonlySet<string> = new Set([
  'interpolation',
  'names',
  'references',
  'durations',
  'bounds',
  'policy',
]);

/** Every case of test/hostile/cases/*.ts (`files: true`: only those of the file-reading classes). */
export async function loadCorpus(opts: { files?: boolean } = {}): Promise<HostileCase[]> {
  const all = await loadAll();
  return opts.files ? all.filter((c) => !SETTINGS_CLASSES.has(c.class)) : all;
}

async function loadAll(): Promise<HostileCase[]> {
  const dir = join(import.meta.dirname, 'cases');
  const out: HostileCase[] = [];
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.ts'))
    .sort()) {
    const mod = (await import(join(dir, f))) as { cases?: HostileCase[] };
    out.push(...(mod.cases ?? []));
  }
  return out;
}

/** The valid sibling: a config file, an env file and a secret, all inside its own folder. */
export const GOOD_FILES: Record<string, string> = {
  'docker-compose.yml': `services:
  app:
    image: local/busybox:1
    command: [sh, -c, 'exec sleep 100000']
    stop_grace_period: 1s
    env_file: [app.env]
    configs: [{ source: conf, target: /etc/app.conf }]
    deploy:
      endpoint_mode: dnsrr
configs:
  conf:
    file: ./app.conf
`,
  'app.env': 'MODE=good\n',
  'app.conf': 'listen 8080\n',
};

function writeSpec(abs: string, spec: FileSpec): void {
  mkdirSync(dirname(abs), { recursive: true });
  if (typeof spec === 'string') writeFileSync(abs, spec);
  else if ('bytes' in spec) writeFileSync(abs, Buffer.from(spec.bytes));
  else if ('symlink' in spec) symlinkSync(spec.symlink, abs);
  else if ('fifo' in spec) execFileSync('mkfifo', [abs]);
  else if ('dir' in spec) mkdirSync(abs, { recursive: true });
  else writeFileSync(abs, spec.chunk.repeat(spec.repeat));
}

/** Writes `files` under `root/folder`. */
export function writeFiles(root: string, folder: string, files: Record<string, FileSpec>): void {
  mkdirSync(join(root, folder), { recursive: true });
  // directories first, so that a file inside one lands in it
  const entries = Object.entries(files).sort(([, a], [, b]) => Number(isDir(b)) - Number(isDir(a)));
  for (const [rel, spec] of entries) writeSpec(join(root, folder, rel), spec);
}

function isDir(s: FileSpec): boolean {
  return typeof s === 'object' && 'dir' in s;
}

/** The case's expected message, for a case written to `folder` instead of `bad`. */
export function expectedMessage(c: HostileCase, folder: string): string | RegExp | undefined {
  if (!('code' in c.expect)) return undefined;
  const m = c.expect.message;
  if (folder === 'bad') return m;
  if (typeof m === 'string') return m.replaceAll('bad/', `${folder}/`).replaceAll('"bad"', `"${folder}"`);
  return new RegExp(m.source.replaceAll('bad/', `${folder}/`).replaceAll('bad\\/', `${folder}\\/`), m.flags);
}

export function matches(actual: string, expected: string | RegExp): boolean {
  return typeof expected === 'string' ? actual.includes(expected) : expected.test(actual);
}
