import { z } from 'zod';
import {
  bytes,
  cpus,
  duration,
  int,
  num,
  oneOf,
  strict,
  stringList,
  stringMap,
  text,
  uint,
} from './schema-common.js';

/** `deploy:` of a service (what Swarm uses: mode, replicas, placement, resources, policies). */
const updateConfig = strict({
  parallelism: uint.optional(),
  delay: duration.optional(),
  failure_action: oneOf(['continue', 'pause', 'rollback']).optional(),
  monitor: duration.optional(),
  max_failure_ratio: num.optional(),
  order: oneOf(['stop-first', 'start-first']).optional(),
});

export const deploy = strict({
  mode: oneOf(['replicated', 'global', 'replicated-job', 'global-job']).optional(),
  replicas: uint.optional(),
  labels: stringMap.optional(),
  endpoint_mode: oneOf(['vip', 'dnsrr']).optional(),
  placement: strict({
    constraints: stringList.optional(),
    preferences: z.array(strict({ spread: text })).optional(),
    max_replicas_per_node: uint.optional(),
  }).optional(),
  resources: strict({
    limits: strict({ cpus: cpus.optional(), memory: bytes.optional(), pids: uint.optional() }).optional(),
    reservations: strict({
      cpus: cpus.optional(),
      memory: bytes.optional(),
      generic_resources: z
        .array(strict({ discrete_resource_spec: strict({ kind: text, value: int }).optional() }))
        .optional(),
    }).optional(),
  }).optional(),
  restart_policy: strict({
    condition: oneOf(['none', 'on-failure', 'any']).optional(),
    delay: duration.optional(),
    max_attempts: uint.optional(),
    window: duration.optional(),
  }).optional(),
  update_config: updateConfig.optional(),
  rollback_config: updateConfig.optional(),
}).superRefine((d, ctx) => {
  if ((d.mode === 'global' || d.mode === 'global-job') && d.replicas !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['replicas'],
      message: 'replicas can only be used with replicated or replicated-job mode',
    });
});
