/** A counting proxy in front of DOCKER_HOST's socket (see test/support/counting-proxy.ts). */
import { type CountingProxy, startCountingProxy } from '../../support/counting-proxy.js';
import { dockerSocketPath } from './run.js';

export type { CountingProxy };

export function startDockerProxy(): Promise<CountingProxy> {
  return startCountingProxy(dockerSocketPath());
}

/** The write calls (not GET/HEAD) a proxy counted, as `METHOD /path` -> count, for assertion messages. */
export function writeCalls(p: CountingProxy): Record<string, number> {
  return Object.fromEntries(Object.entries(p.counts()).filter(([k]) => !/^(GET|HEAD) /.test(k)));
}
