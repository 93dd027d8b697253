/** Docker events of the lab, for tests that assert the order of what Swarm did. */
import { docker } from './controller-swarm.js';

export interface DockerEvent {
  /** Microseconds since the epoch. */
  t: number;
  type: string;
  action: string;
  /** The object's name; for a container, the name of its service. */
  name: string;
}

/** Docker events since `since` (seconds) until now (an action may hold spaces: `health_status: healthy`). */
export async function events(since: number): Promise<DockerEvent[]> {
  const until = Math.ceil(Date.now() / 1000) + 1;
  const out = await docker(
    'events',
    '--since',
    String(since),
    '--until',
    String(until),
    '--format',
    '{{.TimeNano}}|{{.Type}}|{{.Action}}|{{index .Actor.Attributes "name"}}|{{index .Actor.Attributes "com.docker.swarm.service.name"}}',
  );
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [t, type, action, name, svc] = l.split('|');
      return {
        t: Number(BigInt(t!) / 1000n),
        type: type!,
        action: action!,
        name: type === 'container' ? svc! : name!,
      };
    });
}
