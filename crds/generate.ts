/** Writes crds/*.yaml from the zod schemas in reconciler/api (run: npm run gen:crds). */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLUSTER_ROLE_PATH, clusterRoleFile } from '../reconciler/api/cluster-role.js';
import { crdFiles } from '../reconciler/api/crd-files.js';

const dir = dirname(fileURLToPath(import.meta.url));
mkdirSync(dir, { recursive: true });
const files = crdFiles();
const keep = new Set(files.map((f) => f.path));
// Drop CRDs of kinds that no longer exist.
for (const f of readdirSync(dir))
  if ((f.endsWith('.swarmkeeper.io.yaml') || f === 'kustomization.yaml') && !keep.has(f))
    rmSync(join(dir, f));
for (const f of files) writeFileSync(join(dir, f.path), f.content);
console.log(`wrote ${files.length} files to ${dir}`);
// The ClusterRole grants the verbs of every kind in the registry.
writeFileSync(join(dir, '..', CLUSTER_ROLE_PATH), clusterRoleFile());
console.log(`wrote ${CLUSTER_ROLE_PATH}`);
