/**
 * The stack policy: what a stack from a given source (and Kubernetes namespace) may ask of the
 * hosts. A policy file (YAML) holds `rules` for every stack it governs and `namespaces` that
 * override them per namespace:
 *
 *   rules:
 *     bindMounts: [/srv/app, /var/log]  # allowed host path prefixes; or any | none
 *     dockerSocket: deny                # bind mounts that reach the Docker socket
 *     hostRoot: deny                    # bind-mounting "/" itself
 *     capAdd: [NET_ADMIN]               # allowed cap_add entries; or any | none
 *     hostPorts: deny                   # ports with mode: host
 *     hostNetwork: deny                 # attaching to the "host" network
 *     privileged: deny                  # cap_add SYS_ADMIN/ALL/…, sysctls, devices, pid/ipc: host
 *   namespaces:
 *     team-a: { bindMounts: none }
 *
 * Without a file everything is allowed, except from git sources: the Docker socket and "/" are
 * denied there unless a policy file allows them (dockerSocket: allow, hostRoot: allow).
 */
import { z } from 'zod';

const toggle = z.enum(['allow', 'deny']);
const list = z.union([z.enum(['any', 'none']), z.array(z.string().min(1))]);

const rulesSchema = z.strictObject({
  bindMounts: list.optional(),
  dockerSocket: toggle.optional(),
  hostRoot: toggle.optional(),
  capAdd: list.optional(),
  hostPorts: toggle.optional(),
  hostNetwork: toggle.optional(),
  privileged: toggle.optional(),
});

const fileSchema = z.strictObject({
  rules: rulesSchema.optional(),
  namespaces: z.record(z.string(), rulesSchema).optional(),
});

export type Toggle = z.infer<typeof toggle>;
export type PolicyRules = Required<z.infer<typeof rulesSchema>>;
export type PartialRules = z.infer<typeof rulesSchema>;

export interface StackPolicy {
  /** Where it came from, shown in denials (the policy file). */
  name: string;
  rules: PartialRules;
  namespaces: Record<string, PartialRules>;
}

/** The rules in force and what they came from (shown in every denial). */
export interface EffectivePolicy {
  rules: PolicyRules;
  from: string;
}

export const ALLOW_ALL: Readonly<PolicyRules> = {
  bindMounts: 'any',
  dockerSocket: 'allow',
  hostRoot: 'allow',
  capAdd: 'any',
  hostPorts: 'allow',
  hostNetwork: 'allow',
  privileged: 'allow',
};

/** What a git source may not do without a policy file that says otherwise. */
export const GIT_DEFAULT: Readonly<PolicyRules> = { ...ALLOW_ALL, dockerSocket: 'deny', hostRoot: 'deny' };

/** A parsed policy document; throws an Error naming the file and every bad field. */
export function parsePolicy(name: string, document: unknown): StackPolicy {
  const r = fileSchema.safeParse(document ?? {});
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new Error(
      `policy ${name}: ${problems.join('; ')} (expected {rules: {...}, namespaces: {NS: {...}}} with rules ${Object.keys(ALLOW_ALL).join(', ')})`,
    );
  }
  return { name, rules: r.data.rules ?? {}, namespaces: r.data.namespaces ?? {} };
}

/**
 * The rules for one resource: the built-in default of its source type, then the policy's
 * `rules`, then its `namespaces[namespace]`.
 */
export function effectivePolicy(
  sourceType: 'dir' | 'git' | 'kube' | 'cli',
  namespace: string,
  policy: StackPolicy | undefined,
): EffectivePolicy {
  const base = sourceType === 'git' ? GIT_DEFAULT : ALLOW_ALL;
  if (!policy) return { rules: { ...base }, from: `the built-in default for ${sourceType} sources` };
  const ns = policy.namespaces[namespace];
  const rules = { ...base, ...policy.rules, ...(ns ?? {}) };
  return { rules, from: ns ? `policy ${policy.name}, namespace ${namespace}` : `policy ${policy.name}` };
}
