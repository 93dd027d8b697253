import { z } from 'zod';
import { bool, expected, external, optionsMap, strict, stringMap, text } from './schema-common.js';
import { serviceSchema } from './schema-service.js';

const network = z
  .union([
    z.null(),
    strict({
      driver: text.optional(),
      driver_opts: optionsMap.optional(),
      attachable: bool.optional(),
      internal: bool.optional(),
      external: external.optional(),
      name: text.optional(),
      labels: stringMap.optional(),
      ipam: strict({
        driver: text.optional(),
        config: z
          .array(
            strict({
              subnet: text.optional(),
              ip_range: text.optional(),
              gateway: text.optional(),
              aux_addresses: z.record(z.string(), text).optional(),
            }),
          )
          .optional(),
        options: optionsMap.optional(),
      }).optional(),
    }),
  ])
  .transform((n) => n ?? {});

const volume = z
  .union([
    z.null(),
    strict({
      driver: text.optional(),
      driver_opts: optionsMap.optional(),
      external: external.optional(),
      name: text.optional(),
      labels: stringMap.optional(),
    }),
  ])
  .transform((v) => v ?? {});

const fileObject = {
  file: text.optional(),
  content: z.string().optional(),
  external: external.optional(),
  name: text.optional(),
  labels: stringMap.optional(),
  template_driver: text.optional(),
};

export function sourceCount(o: {
  file?: string;
  content?: string;
  external?: { external: boolean };
  environment?: string;
}): number {
  return [
    o.file !== undefined,
    o.content !== undefined,
    o.external?.external === true,
    o.environment !== undefined,
  ].filter(Boolean).length;
}

const config = strict(fileObject).superRefine((c, ctx) => {
  if (sourceCount(c) !== 1)
    ctx.addIssue({ code: 'custom', message: 'exactly one of file, content or external: true is required' });
});

// No source at all is checked by loadCompose: the value may come from a secret reference
// (a SwarmStack's spec.secretRefs).
const secret = strict({ ...fileObject, environment: text.optional() }).superRefine((s, ctx) => {
  if (sourceCount(s) > 1)
    ctx.addIssue({
      code: 'custom',
      message: 'exactly one of file, content, environment or external: true is required',
    });
});

function named<T extends z.ZodType>(item: T) {
  return z.record(z.string(), item, { error: expected('expected a mapping of names to definitions') });
}

export const projectSchema = strict({
  version: z.union([z.string(), z.number()], { error: expected('expected a string') }).optional(),
  name: text.optional(),
  services: named(serviceSchema).optional(),
  networks: named(network).optional(),
  volumes: named(volume).optional(),
  configs: named(config).optional(),
  secrets: named(secret).optional(),
});

export type RawProject = z.output<typeof projectSchema>;
export type RawNetwork = z.output<typeof network>;
export type RawVolume = z.output<typeof volume>;
export type RawConfig = z.output<typeof config>;
export type RawSecret = z.output<typeof secret>;
