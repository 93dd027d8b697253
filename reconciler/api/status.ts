import { z } from 'zod';
import { count } from './common.js';

/** Kubernetes-style condition (the metav1.Condition shape). */
export const conditionSchema = z.strictObject({
  type: z.string().min(1).describe('Ready, Reconciling, Stalled, Drifted, ...'),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string(),
  message: z.string(),
  lastTransitionTime: z.iso.datetime(),
  observedGeneration: count.optional(),
});

export const planSummarySchema = z
  .strictObject({ create: count, update: count, remove: count, recreate: count, blocked: count })
  .describe('Counts of the actions in the last computed plan.');

/** Fields every kind's status has. */
export const commonStatusFields = {
  observedGeneration: count.optional(),
  conditions: z
    .array(conditionSchema)
    .optional()
    .meta({
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    }),
  lastAppliedRevision: z
    .string()
    .optional()
    .describe('Source revision (git SHA or content hash) last applied.'),
  lastAppliedAt: z.iso.datetime().optional(),
  lastPlanSummary: planSummarySchema.optional(),
  desiredHash: z
    .string()
    .optional()
    .describe('Hash of the desired Swarm objects last applied; a plan against an unchanged hash is drift.'),
};

/** Fields of kinds driven by a state machine (plugin, node, volume, migration). */
export const machineStatusFields = {
  phase: z.string().optional().describe('Current state of the state machine.'),
  progress: z.string().optional().describe('Human-readable progress, e.g. "2/3 nodes".'),
};

/** Per-node state of a node-scoped object (plugin installs, volumes on nodes). */
export const nodeStateSchema = z.strictObject({
  node: z.string().describe('Swarm node hostname or ID.'),
  state: z.string(),
  message: z.string().optional(),
  lastTransitionTime: z.iso.datetime().optional(),
});

export const baseStatusSchema = z.strictObject(commonStatusFields);
export type BaseStatus = z.output<typeof baseStatusSchema>;
export type ConditionShape = z.output<typeof conditionSchema>;
