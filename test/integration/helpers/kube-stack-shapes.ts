// The SwarmStack CR and Swarm service shapes read by kube-secrets-events.test.ts, with their accessors.
import { engine } from './controller-swarm.js';

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}
export interface Cr {
  metadata: { name: string; uid: string; generation: number; finalizers?: string[] };
  status?: { observedGeneration?: number; conditions?: Condition[] };
}

export const cond = (cr: Cr | undefined, type: string): Condition | undefined =>
  cr?.status?.conditions?.find((c) => c.type === type);

export const dbRef = (secret: string, key = 'password') => [{ name: 'db', secretRef: { name: secret, key } }];

export interface SwarmService {
  Spec: { Name: string; TaskTemplate: { ContainerSpec?: { Secrets?: { SecretName?: string }[] } } };
}

export async function service(name: string): Promise<SwarmService | undefined> {
  const list = (await engine().listServices({ filters: { name: [name] } })) as unknown as SwarmService[];
  return list.find((s) => s.Spec.Name === name);
}

export const secretNameOf = (s: SwarmService | undefined): string | undefined =>
  s?.Spec.TaskTemplate.ContainerSpec?.Secrets?.[0]?.SecretName;
