// The shape of a toSwarm service case, shared by to-swarm-service.test.ts and its case tables.
import type { FileReader } from '../../../reconciler/ports.js';

export const NS = { 'com.docker.stack.namespace': 'st' };
export const svc = (body: string, top = ''): string =>
  `version: "3.9"\nservices:\n  s:\n    image: img:1\n${body}\n${top}`;

export interface Case {
  title: string;
  yaml: string;
  patch: Record<string, unknown>;
  env?: Record<string, string>;
  files?: FileReader;
}
