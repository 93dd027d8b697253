import { z } from 'zod';
import { cel, commonSpecFields, count, nonEmpty, recreatePolicy, secretKeyRef, swarmName } from './common.js';
import { commonStatusFields } from './status.js';
import { DEFAULT_RESOLVE_IMAGE, RESOLVE_IMAGE_MODES } from '../plan/image-pin.js';
import { IMAGE_UPDATE_POLICIES } from '../plan/image-update.js';
import { rangeProblem } from '../units/semver.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PARENT_SEGMENT = /(^|\/)\.\.(\/|$)/;

/** Longest path accepted; the CRD needs a bound on list items for the cost of its CEL rules. */
const MAX_PATH = 1024;

/** spec.imageUpdate: `{policy: digest}`, `{policy: semver, range: "^1.2"}`, `{policy: off}`. */
const imageUpdateSchema = z
  .strictObject({
    policy: z.enum(IMAGE_UPDATE_POLICIES),
    range: z.string().max(256).optional().describe('The semver range of the semver policy (e.g. ^1.2).'),
  })
  .superRefine((v, ctx) => {
    if (v.policy === 'semver' && v.range === undefined)
      ctx.addIssue({ code: 'custom', path: ['range'], message: 'the semver policy needs a range' });
    else if (v.policy !== 'semver' && v.range !== undefined)
      ctx.addIssue({ code: 'custom', path: ['range'], message: 'a range goes with the semver policy only' });
    const problem = v.range === undefined ? undefined : rangeProblem(v.range);
    if (problem) ctx.addIssue({ code: 'custom', path: ['range'], message: problem });
  });

/** A path relative to the resource's folder, inside the source. */
function relativePath(what: string) {
  return nonEmpty
    .max(MAX_PATH, { error: `must be at most ${MAX_PATH} characters` })
    .refine((p) => !p.startsWith('/') && !PARENT_SEGMENT.test(p), {
      error: 'must be a relative path inside the source (no leading "/", no "..")',
    })
    .meta({
      description: `Path of ${what}, relative to the directory of this resource in the source.`,
      ...cel({
        rule: "!self.startsWith('/') && !self.matches('(^|/)[.][.](/|$)')",
        message: 'must be a relative path inside the source (no leading "/", no "..")',
      }),
    });
}

export const composeFileSchema = relativePath('a compose file');

/** A list of relative paths inside the source, each at most once. */
function pathList(item: ReturnType<typeof relativePath>, what: string) {
  return z
    .array(item)
    .max(32)
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((p, i) => {
        const norm = p.replace(/(^|\/)\.\//g, '$1').replace(/\/+/g, '/');
        if (seen.has(norm)) ctx.addIssue({ code: 'custom', path: [i], message: `duplicate ${what} "${p}"` });
        seen.add(norm);
      });
    })
    .meta({ 'x-kubernetes-list-type': 'set' });
}

const PROFILE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export const stackSecretRefSchema = z.strictObject({
  name: nonEmpty.describe('Name of the secret in the compose file (top-level `secrets:` key).'),
  secretRef: secretKeyRef,
});

export const swarmStackSpecSchema = z
  .strictObject({
    stackName: swarmName
      .optional()
      .describe('Stack namespace (prefix of service names). Defaults to metadata.name.'),
    compose: z.record(z.string(), z.unknown()).optional().meta({
      description: 'Inline compose document (services, networks, volumes, configs, secrets).',
      'x-kubernetes-preserve-unknown-fields': true,
    }),
    composeFile: composeFileSchema.optional(),
    composeFiles: pathList(composeFileSchema, 'compose file')
      .min(1)
      .optional()
      .describe(
        'Compose files merged in order, as `docker stack deploy -c first.yml -c second.yml` merges them; relative paths inside them resolve against the folder of the first.',
      ),
    envFiles: pathList(relativePath('an env file'), 'env file')
      .optional()
      .describe(
        'Env files (KEY=VALUE lines) for ${VAR} interpolation, relative to this resource; a later file wins over an earlier one, spec.env over all.',
      ),
    profiles: z
      .array(z.string().regex(PROFILE, { error: 'must be a profile name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)' }))
      .max(64)
      .optional()
      .meta({ 'x-kubernetes-list-type': 'set' })
      .describe(
        'Profiles enabled (docker compose --profile): a service that lists profiles is deployed only when one of them is enabled.',
      ),
    env: z
      .record(z.string().regex(ENV_NAME, { error: 'must be an environment variable name' }), z.string())
      .optional()
      .describe('Variables for ${VAR} interpolation of the compose document.'),
    secretRefs: z
      .array(stackSecretRefSchema)
      .optional()
      .meta({
        description: 'Values of compose secrets, taken from Kubernetes Secrets.',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
      }),
    prune: z.boolean().default(true).describe('Remove owned objects that left the compose document.'),
    adopt: z
      .boolean()
      .default(false)
      .describe('Take ownership of objects `docker stack deploy` created for this stack name.'),
    recreatePolicy: recreatePolicy.describe(
      'Networks whose immutable spec changed. Never: block and report. Always: recreate (detaches services).',
    ),
    resolveImage: z
      .enum(RESOLVE_IMAGE_MODES)
      .default(DEFAULT_RESOLVE_IMAGE)
      .describe(
        'Pin images to digests like docker stack deploy --resolve-image: always (resolve every tag on each new desired state), changed (only images that changed), never (send the tag as written).',
      ),
    imageUpdate: imageUpdateSchema
      .optional()
      .describe(
        "The stack-wide image update policy of its services (a service's x-swarmkeeper image-update wins): off (the default), digest (roll when the digest behind the tag changes), semver (move to the newest tag in range).",
      ),
    configRetention: count.default(2).describe('Old versions of hashed configs/secrets kept for rollback.'),
    ...commonSpecFields,
  })
  .superRefine((spec, ctx) => {
    const n = [spec.compose, spec.composeFile, spec.composeFiles].filter((v) => v !== undefined).length;
    if (n > 1)
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'set only one of compose, composeFile or composeFiles',
      });
    else if (n === 0)
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'one of compose, composeFile or composeFiles is required',
      });
    if (spec.compose !== undefined && spec.envFiles !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['envFiles'],
        message: 'env files go with composeFile or composeFiles (an inline compose document has spec.env)',
      });
    const seen = new Set<string>();
    spec.secretRefs?.forEach((r, i) => {
      if (seen.has(r.name))
        ctx.addIssue({
          code: 'custom',
          path: ['secretRefs', i, 'name'],
          message: `duplicate name "${r.name}"`,
        });
      seen.add(r.name);
    });
  })
  .meta(
    cel(
      {
        rule: '(has(self.compose) ? 1 : 0) + (has(self.composeFile) ? 1 : 0) + (has(self.composeFiles) ? 1 : 0) <= 1',
        message: 'set only one of compose, composeFile or composeFiles',
      },
      {
        rule: 'has(self.compose) || has(self.composeFile) || has(self.composeFiles)',
        message: 'one of compose, composeFile or composeFiles is required',
      },
      {
        rule: '!(has(self.compose) && has(self.envFiles))',
        message: 'env files go with composeFile or composeFiles (an inline compose document has spec.env)',
      },
    ),
  );

export const serviceStatusSchema = z.strictObject({
  name: z.string(),
  image: z.string(),
  mode: z.enum(['replicated', 'global', 'job']),
  desiredReplicas: count.describe(
    'Tasks Swarm wants running now (global services: one per eligible node); for a job, the completions it wants.',
  ),
  runningReplicas: count,
  completedReplicas: count.optional().describe('Jobs only: tasks that completed.'),
  updateState: z.string().optional(),
  updateMessage: z.string().optional(),
});

export const hookStatusSchema = z.strictObject({
  phase: z.enum(['pre-deploy', 'post-deploy']),
  service: z.string().max(253),
  revision: z.string().max(64).describe('The stack revision the hook runs for.'),
  state: z
    .enum(['pending', 'running', 'failed', 'done'])
    .describe('pending: not run for this revision yet; done: completed, not run again for it.'),
  exitCode: count.optional(),
});

export const imageChangeSchema = z.strictObject({
  service: z.string().max(253),
  from: z.string().describe('The image the service ran.'),
  to: z.string().describe('The image an update policy sent.'),
  at: z.string().describe('When it was applied (RFC 3339).'),
});

export const swarmStackStatusSchema = z.strictObject({
  ...commonStatusFields,
  services: z.array(serviceStatusSchema).optional(),
  hooks: z
    .array(hookStatusSchema)
    .optional()
    .describe('The deploy hooks (x-swarmkeeper: {hook: ...}) of the last desired revision.'),
  serviceCount: count.optional(),
  images: z
    .array(imageChangeSchema)
    .optional()
    .describe('The last image changes the image update policies made (the newest last).'),
  warnings: z
    .array(z.string())
    .optional()
    .describe(
      'What docker stack deploy would ignore or warn about in the compose file (e.g. "Ignoring unsupported options: build").',
    ),
});

export type SwarmStackSpec = z.output<typeof swarmStackSpecSchema>;
export type SwarmStackSpecInput = z.input<typeof swarmStackSpecSchema>;
export type SwarmStackStatus = z.output<typeof swarmStackStatusSchema>;
export type ServiceStatus = z.output<typeof serviceStatusSchema>;
