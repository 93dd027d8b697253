/** The swarmkeeper.io/v1alpha1 API: one zod schema per kind, TypeScript types, CRDs and parsing. */
export * from './common.js';
export * from './status.js';
export * from './swarm-stack.js';
export * from './swarm-network.js';
export * from './volume-preset.js';
export * from './swarm-volume.js';
export * from './swarm-plugin.js';
export * from './swarm-node.js';
export * from './swarm-volume-migration.js';
export * from './kinds.js';
export * from './resource.js';
export { parseResource } from './parse.js';
export {
  type CustomResourceDefinition,
  crdFor,
  generateCrds,
  openApiSchema,
  structuralSchema,
} from './crd.js';
export { type CrdFile, crdFiles } from './crd-files.js';
