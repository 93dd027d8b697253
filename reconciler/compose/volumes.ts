/** A service mount, in compose's long syntax (short syntax is converted to it). */
export interface ComposeServiceVolume {
  type: 'volume' | 'bind' | 'tmpfs';
  source?: string;
  target: string;
  read_only?: boolean;
  consistency?: string;
  bind?: { propagation?: string };
  volume?: { nocopy?: boolean };
  tmpfs?: { size?: number };
}

export const PROPAGATIONS = ['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate'] as const;
const CONSISTENCIES = ['consistent', 'cached', 'delegated'];

function isPath(s: string): boolean {
  return s.startsWith('/') || s.startsWith('.') || s.startsWith('~');
}

/** Short syntax `[source:]target[:mode]` like docker/cli's loader.ParseVolume. */
export function parseShortVolume(spec: string): ComposeServiceVolume {
  const parts = spec.split(':');
  if (parts.some((p) => p === '') || parts.length > 3)
    throw new Error(`invalid volume specification ${JSON.stringify(spec)}`);
  if (parts.length === 1) return { type: 'volume', target: parts[0] as string };
  const [source, target, mode] = parts as [string, string, string | undefined];
  const vol: ComposeServiceVolume = { type: isPath(source) ? 'bind' : 'volume', source, target };
  for (const opt of mode === undefined ? [] : mode.split(',')) {
    if (opt === 'ro') vol.read_only = true;
    else if (opt === 'rw') vol.read_only = false;
    else if (opt === 'nocopy') vol.volume = { nocopy: true };
    else if ((PROPAGATIONS as readonly string[]).includes(opt)) vol.bind = { propagation: opt };
    // accepted and dropped: docker/cli's loader reads consistency from the long syntax only
    else if (CONSISTENCIES.includes(opt)) continue;
    else
      throw new Error(
        `invalid volume option ${JSON.stringify(opt)} in ${JSON.stringify(spec)}; supported: ro, rw, nocopy, ${PROPAGATIONS.join(', ')}, ${CONSISTENCIES.join(', ')}`,
      );
  }
  if (vol.type === 'bind' && vol.volume)
    throw new Error(`invalid volume ${JSON.stringify(spec)}: nocopy applies to named volumes only`);
  if (vol.type === 'volume' && vol.bind)
    throw new Error(`invalid volume ${JSON.stringify(spec)}: propagation applies to bind mounts only`);
  return vol;
}
