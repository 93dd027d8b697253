/**
 * What a stack is checked and interpolated with besides its own files: the process variables it
 * may read (--allow-env), the bounds (--limits) and the stack policy (--policy, per source
 * `policy=FILE`, per namespace inside the file).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { allowedProcessEnv, checkAllowEnv, type EnvSettings } from '../../reconciler/desired/stack-env.js';
import {
  type EffectivePolicy,
  effectivePolicy,
  parsePolicy,
  type StackPolicy,
} from '../../reconciler/policy/policy.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import { DEFAULT_LIMITS, type Limits, parseLimits } from '../../reconciler/validate/limits.js';
import type { SourceSpec } from '../sources/source-spec.js';
import { sourceName } from '../sources/source-name.js';

export interface StackSettings {
  env: EnvSettings;
  limits: Limits;
  policyFor: (res: DesiredResource) => EffectivePolicy;
}

/** Reads and checks a policy file; throws an Error naming the file. */
export function loadPolicyFile(path: string): StackPolicy {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`policy ${path}: ${(e as Error).message}`);
  }
  return parsePolicy(path, doc);
}

/** `validate`, `plan`, `apply`: the user's shell for plain compose files (docker's behaviour). */
export function cliStackSettings(opts: { limits?: string; policy?: string }): StackSettings {
  const policy = opts.policy ? loadPolicyFile(opts.policy) : undefined;
  return {
    env: { vars: process.env, allow: 'all' },
    limits: opts.limits ? parseLimits(opts.limits) : { ...DEFAULT_LIMITS },
    policyFor: (res) => effectivePolicy('dir', res.namespace, policy),
  };
}

/**
 * `run`: only the variables the operator allows (as they are when it starts); each source's own policy file, else --policy,
 * over the built-in default of its type (git sources deny the Docker socket and "/").
 */
export function controllerStackSettings(opts: {
  allowEnv: readonly string[];
  limits?: string;
  policy?: string;
  sources: readonly SourceSpec[];
  kubeSourceName?: string;
}): StackSettings {
  const global = opts.policy ? loadPolicyFile(opts.policy) : undefined;
  const bySource = new Map<string, { type: 'dir' | 'git' | 'kube'; policy: StackPolicy | undefined }>();
  for (const s of opts.sources)
    bySource.set(sourceName(s), { type: s.type, policy: s.policy ? loadPolicyFile(s.policy) : global });
  if (opts.kubeSourceName) bySource.set(opts.kubeSourceName, { type: 'kube', policy: global });
  const allow = checkAllowEnv(opts.allowEnv);
  // Read once, at start-up: the allowed variables only (a controller's environment does not change,
  // and reading process.env costs more than a whole cached pass of a stack).
  const vars = allowedProcessEnv({ vars: process.env, allow }, false);
  return {
    env: { vars, allow },
    limits: opts.limits ? parseLimits(opts.limits) : { ...DEFAULT_LIMITS },
    policyFor: (res) => {
      const s = res.origin.source === undefined ? undefined : bySource.get(res.origin.source);
      // An unknown source is treated like git: the strictest default.
      return effectivePolicy(s?.type ?? 'git', res.namespace, s ? s.policy : global);
    },
  };
}

/** The settings of a caller that gives none: no process variable, default bounds, default policy. */
export const SAFE_STACK_SETTINGS: StackSettings = {
  env: { vars: {}, allow: [] },
  limits: DEFAULT_LIMITS,
  policyFor: (res) => effectivePolicy('dir', res.namespace, undefined),
};
