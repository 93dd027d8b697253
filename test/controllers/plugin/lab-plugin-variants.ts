// Builds variants of the lab volume plugin (test/lab/plugin) and pushes them to the lab registry, the
// way test/lab/lib/services.sh builds `:1`: gcc -static, `docker plugin create` on node 1, push, rm.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { LabEnv } from '../../lab/lab.js';

const run = promisify(execFile);
const PLUGIN_DIR = fileURLToPath(new URL('../../lab/plugin/', import.meta.url));
const DOCKER = '/usr/bin/docker';

export type ConfigPatch = (config: Record<string, unknown>) => void;

/** `:2`: a new description and a settable DEBUG env (so settings are exercised). */
export const v2: ConfigPatch = (c) => {
  c.description = 'swarmkeeper lab test volume plugin v2';
  c.env = [{ name: 'DEBUG', description: 'debug output', settable: ['value'], value: '0' }];
};
/** `:broken`: pulls and upgrades fine, enable fails (the entrypoint does not exist). */
export const broken: ConfigPatch = (c) => {
  c.description = 'broken';
  c.entrypoint = ['/does-not-exist'];
};
/** `:priv`: asks for a host mount and CAP_SYS_ADMIN. */
export const privileged: ConfigPatch = (c) => {
  c.description = 'privileged';
  c.linux = { capabilities: ['CAP_SYS_ADMIN'] };
  c.mounts = [{ source: '/var/lib', destination: '/host', type: 'bind', options: ['rbind', 'ro'] }];
};

/** Pushes `<registry>/lab/swlvol:<tag>` for each variant; returns tag -> reference. */
export async function pushPluginVariants(
  lab: LabEnv,
  variants: Record<string, ConfigPatch>,
): Promise<Record<string, string>> {
  if (lab.registry === undefined) throw new Error('the lab has no registry (lab up --plugin)');
  const host = lab.nodes[0]?.dockerHost;
  if (host === undefined) throw new Error('the lab has no node');
  const dir = await mkdtemp(join(tmpdir(), 'skplug-'));
  const refs: Record<string, string> = {};
  try {
    await run('gcc', ['-static', '-O2', '-o', join(dir, 'swlvol'), join(PLUGIN_DIR, 'swlvol.c')]);
    const base = JSON.parse(await readFile(join(PLUGIN_DIR, 'config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    for (const [tag, patch] of Object.entries(variants)) {
      const ref = `${lab.registry}/lab/swlvol:${tag}`;
      const pl = join(dir, tag);
      for (const d of ['run/docker/plugins', 'data', 'tmp', 'dev', 'proc', 'sys', 'etc']) {
        await mkdir(join(pl, 'rootfs', d), { recursive: true });
      }
      await cp(join(dir, 'swlvol'), join(pl, 'rootfs', 'swlvol'));
      const config = structuredClone(base);
      patch(config);
      await writeFile(join(pl, 'config.json'), JSON.stringify(config));
      const docker = (...args: string[]) => run(DOCKER, ['-H', host, ...args]);
      await docker('plugin', 'rm', '-f', ref).catch(() => undefined);
      await docker('plugin', 'create', ref, pl);
      await docker('plugin', 'push', ref);
      await docker('plugin', 'rm', '-f', ref);
      refs[tag] = ref;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return refs;
}
