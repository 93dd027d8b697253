import type { HealthConfig, Labels, Mount, NetworkAttachmentConfig } from '../model/engine-types.js';
import { LABEL_STACK_NAMESPACE } from '../model/ownership.js';
import type { ComposeProject, ComposeService, ComposeServiceVolume } from './types.js';
import { byKey } from '../model/order.js';

export const scope = (stack: string, name: string): string => `${stack}_${name}`;

export function stackLabels(stack: string, labels: Labels | undefined): Labels {
  return { ...(labels ?? {}), [LABEL_STACK_NAMESPACE]: stack };
}

/** Swarm name of a stack network: `name:` (or the external name) wins over `<stack>_<key>`. */
export function networkName(stack: string, project: ComposeProject, key: string): string {
  const net = project.networks[key];
  if (net?.name) return net.name;
  if (net?.external?.external) return net.external.name ?? key;
  return scope(stack, key);
}

/** The networks a service attaches to; no `networks:` means the stack's `default` network. */
export function serviceNetworkKeys(svc: ComposeService): string[] {
  const keys = Object.keys(svc.networks ?? {});
  return keys.length === 0 ? ['default'] : keys;
}

const NOT_USER_DEFINED = new Set(['default', 'bridge', 'host', 'none']);

export function networks(
  stack: string,
  name: string,
  svc: ComposeService,
  project: ComposeProject,
): NetworkAttachmentConfig[] {
  const out = serviceNetworkKeys(svc).map((key): NetworkAttachmentConfig => {
    const target = networkName(stack, project, key);
    const aliases = [...(svc.networks?.[key]?.aliases ?? [])];
    const driverOpts = svc.networks?.[key]?.driver_opts;
    if (!NOT_USER_DEFINED.has(target) && !target.startsWith('container:')) aliases.push(name);
    return {
      Target: target,
      ...(aliases.length > 0 ? { Aliases: aliases } : {}),
      ...(driverOpts && Object.keys(driverOpts).length > 0 ? { DriverOpts: driverOpts } : {}),
    };
  });
  return out.sort(byKey((n) => n.Target));
}

export function mount(stack: string, v: ComposeServiceVolume, project: ComposeProject): Mount {
  const m: Mount = { Type: v.type, Target: v.target };
  if (v.source !== undefined && v.type !== 'volume') m.Source = v.source;
  if (v.read_only) m.ReadOnly = true;
  if (v.consistency) m.Consistency = v.consistency;
  if (v.type === 'bind' && v.bind)
    m.BindOptions = v.bind.propagation ? { Propagation: v.bind.propagation } : {};
  if (v.type === 'tmpfs' && v.tmpfs) m.TmpfsOptions = v.tmpfs.size ? { SizeBytes: v.tmpfs.size } : {};
  // An anonymous volume takes no volume options: docker/cli returns before reading them.
  if (v.type === 'volume' && v.source !== undefined) {
    const decl = project.volumes[v.source] ?? {};
    m.Source =
      decl.name ?? (decl.external?.external ? (decl.external.name ?? v.source) : scope(stack, v.source));
    const opts: NonNullable<Mount['VolumeOptions']> = {};
    if (v.volume?.nocopy) opts.NoCopy = true;
    if (!decl.external?.external) {
      opts.Labels = stackLabels(stack, decl.labels);
      if (decl.driver !== undefined || decl.driver_opts !== undefined) {
        opts.DriverConfig = {
          Name: decl.driver ?? '',
          ...(decl.driver_opts ? { Options: decl.driver_opts } : {}),
        };
      }
    }
    m.VolumeOptions = opts;
  }
  return m;
}

export function healthcheck(h: NonNullable<ComposeService['healthcheck']>): HealthConfig {
  if (h.disable) return { Test: ['NONE'] };
  const out: HealthConfig = {};
  if (h.test) out.Test = h.test;
  if (h.interval) out.Interval = h.interval;
  if (h.timeout) out.Timeout = h.timeout;
  if (h.start_period) out.StartPeriod = h.start_period;
  if (h.retries) out.Retries = h.retries;
  return out;
}
