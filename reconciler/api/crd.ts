import { z } from 'zod';
import { GROUP, VERSION } from './common.js';
import { COMMON_PRINTER_COLUMNS, type KindDefinition, KIND_LIST } from './kinds.js';
import { type JsonSchema, toStructural } from './structural.js';

/** The parts of apiextensions.k8s.io/v1 CustomResourceDefinition this generator emits. */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    group: string;
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames: string[];
      categories: string[];
    };
    scope: 'Namespaced';
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources: { status: Record<string, never> };
      additionalPrinterColumns: {
        name: string;
        type: string;
        jsonPath: string;
        description?: string;
        priority?: number;
      }[];
      schema: { openAPIV3Schema: JsonSchema };
    }[];
  };
}

export const CATEGORIES = ['swarmkeeper'];

/** The zod schema as a structural OpenAPI v3 schema (what a CRD version carries). */
export function structuralSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io: 'input',
    reused: 'inline',
    cycles: 'throw',
  });
  return toStructural(json as JsonSchema);
}

export function openApiSchema(def: KindDefinition): JsonSchema {
  return {
    description: `${def.kind} is a swarmkeeper.io resource (${def.plural}); see spec and status.`,
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: structuralSchema(def.specSchema),
      status: structuralSchema(def.statusSchema),
    },
    required: ['spec'],
  };
}

export function crdFor(def: KindDefinition): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${def.plural}.${GROUP}`, labels: { 'app.kubernetes.io/part-of': 'swarmkeeper' } },
    spec: {
      group: GROUP,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: [...def.shortNames],
        categories: [...CATEGORIES],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [...def.printerColumns, ...COMMON_PRINTER_COLUMNS].map((c) => ({ ...c })),
          schema: { openAPIV3Schema: openApiSchema(def) },
        },
      ],
    },
  };
}

/** One CRD per kind, in KINDS order. */
export function generateCrds(): CustomResourceDefinition[] {
  return KIND_LIST.map(crdFor);
}
