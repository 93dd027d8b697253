/**
 * Runs one source root the way `validate` and `plan` do, in process: load the tree (dir-loader),
 * build each stack's desired state (files read through the confining reader) and plan it against
 * an in-memory Swarm. Returns, per stack folder, its error or its plan.
 */
import { loadPath } from '../../controllers/sources/dir-loader.js';
import { fsFileReader } from '../../controllers/sources/fs-file-reader.js';
import { desiredFor, PLANNED_KINDS } from '../../reconciler/desired/desired-for.js';
import { type SwarmkeeperError, asSwarmkeeperError } from '../../reconciler/errors.js';
import { plan } from '../../reconciler/plan/plan.js';
import { SwarmSimulator } from '../../reconciler/plan/simulator.js';
import type { Plan } from '../../reconciler/plan/types.js';
import { SECRET_HASH_KEY } from '../reconciler/compose/helpers.js';

export interface FolderOutcome {
  /** The first error of the folder (loader or desired state), if any. */
  errors: SwarmkeeperError[];
  /** Plans of the folder's resources that built. */
  plans: Plan[];
  /** Everything the Swarm holds, by name, after applying every plan. */
  keys: string[];
}

export function runRoot(root: string, env: Record<string, string>): Map<string, FolderOutcome> {
  const out = new Map<string, FolderOutcome>();
  const folderOf = (file: string): string => file.split('/')[0] ?? '.';
  const at = (folder: string): FolderOutcome => {
    let o = out.get(folder);
    if (!o) out.set(folder, (o = { errors: [], plans: [], keys: [] }));
    return o;
  };
  const loaded = loadPath(root, { source: 'dir:hostile' });
  for (const e of loaded.errors) at(folderOf(e.message)).errors.push(e);
  const swarm = new SwarmSimulator();
  for (const res of loaded.resources) {
    const o = at(folderOf(res.origin.file));
    o.keys.push(res.key);
    if (!(PLANNED_KINDS as readonly string[]).includes(res.kind)) continue;
    try {
      const d = desiredFor(res, {
        instanceId: 'hostile',
        files: fsFileReader(loaded.root),
        secretHashKey: SECRET_HASH_KEY,
        env: { vars: env, allow: 'all' },
      });
      const p = plan(d.desired, swarm.observed(), {
        instanceId: 'hostile',
        prune: d.policy.prune,
        adopt: d.policy.adopt,
        recreatePolicy: d.policy.recreatePolicy,
        configRetention: d.policy.configRetention,
        ignore: d.policy.ignore,
      });
      swarm.apply(p);
      o.plans.push(p);
    } catch (e) {
      o.errors.push(asSwarmkeeperError(e));
    }
  }
  return out;
}

/** Names of the Swarm objects of a plan. */
export function planned(p: Plan): string[] {
  return p.actions.map((a) => `${a.op} ${a.kind} ${a.name}`);
}
