/** A SwarmStack's spec.secretRefs: the values of Secrets, read for the stack's compose secrets. */
import { parseResource } from '../../reconciler/api/parse.js';
import type { SwarmStackSpec } from '../../reconciler/api/swarm-stack.js';
import { toDocument } from '../../reconciler/desired/desired-for.js';
import { SwarmkeeperError, asSwarmkeeperError } from '../../reconciler/errors.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import type { SecretResolver } from '../ports.js';

/**
 * The values of a SwarmStack's spec.secretRefs, by compose secret name. The spec is validated
 * first, so a schema error is reported as such rather than as a missing Secret. Errors name the
 * resource, the field and the Secret, never the value.
 */
export async function resolveSecretRefs(
  res: DesiredResource,
  resolver: SecretResolver,
): Promise<Record<string, Uint8Array> | undefined> {
  const raw = res.spec['secretRefs'];
  if (res.kind !== 'SwarmStack' || !Array.isArray(raw) || raw.length === 0) return undefined;
  const spec = (parseResource(toDocument(res), res.origin.file) as { spec: SwarmStackSpec }).spec;
  const out: Record<string, Uint8Array> = {};
  for (const [i, ref] of (spec.secretRefs ?? []).entries()) {
    try {
      out[ref.name] = new Uint8Array(
        await resolver.get(res.namespace, ref.secretRef.name, ref.secretRef.key),
      );
    } catch (e) {
      const err = asSwarmkeeperError(e);
      throw new SwarmkeeperError(err, `${res.origin.file}: spec.secretRefs[${i}]: ${err.message}`, {
        ...(err.requeueAfterMs !== undefined ? { requeueAfterMs: err.requeueAfterMs } : {}),
      });
    }
  }
  return out;
}
