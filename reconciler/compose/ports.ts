/** One published port, after short-syntax ranges are expanded. */
export interface ComposePort {
  target: number;
  published?: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  mode: 'ingress' | 'host';
  /** Host IP of the short syntax: docker stack deploy ignores it (Swarm publishes on all addresses). */
  hostIp?: string;
}

const PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;

function parseRange(s: string, what: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) throw new Error(`invalid ${what} port ${JSON.stringify(s)}`);
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start < 1 || end > 65535 || end < start)
    throw new Error(`invalid ${what} port range ${JSON.stringify(s)}`);
  return [start, end];
}

/**
 * Short syntax, like go-connections nat.ParsePortSpec: `80`, `80/udp`, `8080:80`,
 * `127.0.0.1:8080:80`, `127.0.0.1::80`, `9000-9001:8000-8001/udp`, `[::1]:80:80`.
 */
export function parseShortPort(spec: string): ComposePort[] {
  let rest = spec.trim();
  let protocol: ComposePort['protocol'] = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const p = rest.slice(slash + 1).toLowerCase();
    if (!(PROTOCOLS as readonly string[]).includes(p))
      throw new Error(`invalid protocol ${JSON.stringify(p)}; supported: tcp, udp, sctp`);
    protocol = p as ComposePort['protocol'];
    rest = rest.slice(0, slash);
  }
  let ip: string | undefined;
  const v6 = /^\[([^\]]*)\]:(.*)$/.exec(rest);
  if (v6) {
    ip = v6[1];
    rest = v6[2] as string;
  }
  const parts = rest.split(':');
  let hostPart = '';
  let containerPart: string;
  if (parts.length === 1) containerPart = parts[0] as string;
  else if (parts.length === 2) [hostPart, containerPart] = parts as [string, string];
  else if (parts.length === 3 && ip === undefined)
    [ip, hostPart, containerPart] = parts as [string, string, string];
  else throw new Error(`invalid port specification ${JSON.stringify(spec)}`);
  const [cStart, cEnd] = parseRange(containerPart, 'container');
  const ports: ComposePort[] = [];
  if (hostPart === '') {
    for (let p = cStart; p <= cEnd; p++) ports.push({ target: p, protocol, mode: 'ingress' });
  } else {
    const [hStart, hEnd] = parseRange(hostPart, 'published');
    if (cStart === cEnd) {
      // a published range onto one container port publishes each (docker/cli's loader does)
      for (let h = hStart; h <= hEnd; h++)
        ports.push({ target: cStart, published: h, protocol, mode: 'ingress' });
    } else if (hEnd - hStart !== cEnd - cStart) {
      throw new Error(
        `invalid port range ${JSON.stringify(spec)}: published and container ranges must have the same size`,
      );
    } else {
      for (let i = 0; i <= cEnd - cStart; i++)
        ports.push({ target: cStart + i, published: hStart + i, protocol, mode: 'ingress' });
    }
  }
  if (ip) for (const p of ports) p.hostIp = ip;
  return ports;
}
