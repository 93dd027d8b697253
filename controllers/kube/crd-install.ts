import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { generateCrds } from '../../reconciler/api/index.js';
import { skError } from '../../reconciler/errors.js';
import { FIELD_MANAGER } from './cr-resource.js';

export interface CrdInstallOptions {
  /** How long to wait for each CRD to become Established. */
  timeoutMs?: number;
  pollMs?: number;
  onApplied?: (name: string) => void;
  onEstablished?: (name: string) => void;
}

/** The CRDs of this build (the same documents as the checked-in crds/*.yaml). */
export function bundledCrds(): V1CustomResourceDefinition[] {
  return generateCrds() as unknown as V1CustomResourceDefinition[];
}

/** CRDs from a directory of YAML files (other kinds are skipped). */
export function crdsFromDir(dir: string): V1CustomResourceDefinition[] {
  const out: V1CustomResourceDefinition[] = [];
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      if (doc.errors.length > 0)
        throw skError('YAML_SYNTAX', `${join(dir, file)}: ${doc.errors[0]!.message}`);
      const v = doc.toJS() as { kind?: string } | null;
      if (v?.kind === 'CustomResourceDefinition') out.push(v as V1CustomResourceDefinition);
    }
  }
  if (out.length === 0) throw skError('FILE_UNREADABLE', `${dir}: no CustomResourceDefinition found`);
  return out;
}

const established = (crd: V1CustomResourceDefinition): boolean =>
  (crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');

/**
 * Applies CRDs with server-side apply (field manager `swarmkeeper`, forcing conflicts: the CRDs
 * are ours), then waits until each is Established.
 */
export async function installCrds(
  kc: KubeConfig,
  crds: V1CustomResourceDefinition[],
  opts: CrdInstallOptions = {},
): Promise<string[]> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const names: string[] = [];
  for (const crd of crds) {
    const name = crd.metadata!.name!;
    await api.patchCustomResourceDefinition(
      { name, body: crd, fieldManager: FIELD_MANAGER, force: true },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    opts.onApplied?.(name);
    names.push(name);
  }
  for (const name of names) {
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    for (;;) {
      const crd = await api.readCustomResourceDefinition({ name });
      if (established(crd)) break;
      if (Date.now() > deadline)
        throw skError('INTERNAL', `CRD ${name} is not Established after ${opts.timeoutMs ?? 60_000} ms`);
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
    }
    opts.onEstablished?.(name);
  }
  return names;
}
