import type { Problems } from './problems.js';
import type { ComposeProject } from './types.js';

function declared(kind: string, names: string[]): string {
  return names.length === 0
    ? `no ${kind} are declared at top level`
    : `declared ${kind}: ${names.sort().join(', ')}`;
}

/** Every network, named volume, config and secret a service uses must be declared at top level. */
export function checkReferences(project: ComposeProject, problems: Problems): void {
  const nets = Object.keys(project.networks);
  const vols = Object.keys(project.volumes);
  const cfgs = Object.keys(project.configs);
  const secs = Object.keys(project.secrets);
  for (const [name, svc] of Object.entries(project.services)) {
    const base = ['services', name];
    for (const net of Object.keys(svc.networks ?? {})) {
      if (net !== 'default' && !nets.includes(net))
        problems.add(
          'COMPOSE_REFERENCE',
          [...base, 'networks', net],
          `undefined network "${net}"; ${declared('networks', nets)}`,
        );
    }
    svc.volumes?.forEach((v, i) => {
      if (v.type === 'volume' && v.source !== undefined && !vols.includes(v.source))
        problems.add(
          'COMPOSE_REFERENCE',
          [...base, 'volumes', i],
          `undefined volume "${v.source}"; ${declared('volumes', vols)} (a bind mount source must start with /, . or ~)`,
        );
    });
    svc.configs?.forEach((c, i) => {
      if (!cfgs.includes(c.source))
        problems.add(
          'COMPOSE_REFERENCE',
          [...base, 'configs', i],
          `undefined config "${c.source}"; ${declared('configs', cfgs)}`,
        );
    });
    svc.secrets?.forEach((s, i) => {
      if (!secs.includes(s.source))
        problems.add(
          'COMPOSE_REFERENCE',
          [...base, 'secrets', i],
          `undefined secret "${s.source}"; ${declared('secrets', secs)}`,
        );
    });
  }
}
