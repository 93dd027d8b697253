/** What the machine kinds are built from (controllers/machine-kinds.ts gives it to each kind). */
import type Docker from 'dockerode';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { EventRecorder } from '../ports.js';
import type { SecretResolver } from '../ports.js';
import type { NodeEndpoints } from './node-endpoints.js';

export interface KindReconcilerDeps {
  /** The manager's daemon (DOCKER_HOST). */
  docker: Docker;
  redis: Redis;
  instanceId: string;
  logger: Logger;
  secrets: SecretResolver;
  recorder?: EventRecorder;
  /** Node daemons given on the command line (--node-endpoint HOSTNAME=URL); SwarmNode specs add theirs. */
  staticEndpoints?: NodeEndpoints;
}
