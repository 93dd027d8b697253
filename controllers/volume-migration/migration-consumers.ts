/**
 * discover: the services that mount the source volume (spec.consumers, or every service that mounts
 * it and may run on the source node), as records of what the migration changes on them. Refused
 * (not retried): a consumer swarmkeeper keeps correcting, or one that is not replicated.
 */
import { compareNames } from '../../reconciler/model/order.js';
import type Docker from 'dockerode';
import { StepError } from '../../machines/step-policy.js';
import {
  constraintsOf,
  excludesNode,
  isVolumeMount,
  mountsOf,
  mountsVolume,
  replicasOf,
} from '../../machines/volume-migration.services.js';
import type { ConsumerRecord, DiscoverInput } from '../../machines/volume-migration.types.js';
import { LABEL_INSTANCE, LABEL_OWNER } from '../../reconciler/model/ownership.js';
import { dockerRequest } from '../docker/request.js';
import { call, inspectVolume, type EngineService } from './migration-docker.js';

export async function discoverConsumers(
  manager: Docker,
  sourceDocker: Docker,
  input: DiscoverInput,
  signal: AbortSignal,
): Promise<ConsumerRecord[]> {
  const { source } = input;
  if ((await inspectVolume(sourceDocker, source.volume, signal)) === undefined)
    throw new StepError(`source volume ${source.volume} does not exist on node ${source.node.hostname}`, {
      retryable: false,
    });
  const services = await call('list services', () =>
    dockerRequest<EngineService[]>(manager, { method: 'GET', path: '/services', signal }),
  );
  let chosen: EngineService[];
  if (input.consumers !== undefined) {
    chosen = input.consumers.map((name) => {
      const s = services.find((x) => x.Spec.Name === name || x.ID === name);
      if (s === undefined)
        throw new StepError(`spec.consumers: service ${name} does not exist`, { retryable: false });
      if (!mountsVolume(s.Spec, source.volume))
        throw new StepError(`spec.consumers: service ${name} does not mount volume ${source.volume}`, {
          retryable: false,
        });
      return s;
    });
  } else {
    chosen = services.filter(
      (s) => mountsVolume(s.Spec, source.volume) && !excludesNode(constraintsOf(s.Spec), source.node),
    );
  }
  return chosen
    .map((s): ConsumerRecord => {
      const name = s.Spec.Name ?? s.ID;
      const labels = (s.Spec['Labels'] ?? {}) as Record<string, string>;
      const owner = labels[LABEL_OWNER];
      if (
        input.corrected !== undefined &&
        owner !== undefined &&
        labels[LABEL_INSTANCE] === input.corrected.instance &&
        input.corrected.owners.includes(owner)
      )
        throw new StepError(
          `consumer ${name} is managed by ${owner} with driftPolicy correct: swarmkeeper would scale it ` +
            'back up during the copy and put the source mount back; point its spec at the target volume ' +
            'instead, or set driftPolicy: detect on it for the migration',
          { retryable: false },
        );
      const replicas = replicasOf(s.Spec);
      if (replicas === undefined)
        throw new StepError(
          `consumer ${name} is not a replicated service: only replicated services can be scaled to 0`,
          { retryable: false },
        );
      return {
        service: name,
        id: s.ID,
        replicas,
        mounts: mountsOf(s.Spec).filter((m) => isVolumeMount(m, source.volume)),
        constraints: constraintsOf(s.Spec),
      };
    })
    .sort((a, b) => compareNames(a.service, b.service));
}
