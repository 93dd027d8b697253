/**
 * A SwarmNode's own Docker daemon, from its spec: `address` (unix:// or tcp://) and, for tcp, TLS
 * material from the Secret in `tls.secretRef` (keys ca.crt, tls.crt, tls.key — the kubernetes.io/tls
 * names — or ca.pem, cert.pem, key.pem). Plain tcp without TLS only with SWARMKEEPER_ALLOW_INSECURE_TCP=1.
 * The key material is never logged; errors name the resource, the field and the Secret only.
 */
import Docker from 'dockerode';
import type { SwarmNodeSpecInput } from '../../reconciler/api/swarm-node.js';
import { skError } from '../../reconciler/errors.js';
import { DOCKER_API_VERSION, parseHost } from '../docker/connection.js';
import type { SecretResolver } from '../ports.js';

const pick = (all: Record<string, Buffer>, ...names: string[]): Buffer | undefined => {
  for (const n of names) if (all[n] !== undefined) return all[n];
  return undefined;
};

/** dockerode options for the node's daemon (holds key material: never log the result). */
export async function nodeDockerOptions(
  key: string,
  namespace: string,
  spec: Pick<SwarmNodeSpecInput, 'address' | 'tls'>,
  secrets: SecretResolver,
  env: Record<string, string | undefined> = process.env,
): Promise<Docker.DockerOptions> {
  let parsed;
  try {
    parsed = parseHost(spec.address, `${key}: spec.address`);
  } catch (e) {
    throw skError('RESOURCE_INVALID', (e as Error).message);
  }
  if (parsed.kind === 'unix') return { socketPath: parsed.socketPath, version: DOCKER_API_VERSION };
  if (!spec.tls) {
    if (env['SWARMKEEPER_ALLOW_INSECURE_TCP'] === '1')
      return { host: parsed.host, port: parsed.port, protocol: 'http', version: DOCKER_API_VERSION };
    throw skError(
      'CONNECTION_CONFIG',
      `${key}: spec.address ${spec.address} is plain TCP: set spec.tls.secretRef (a Secret with ca.crt, tls.crt, tls.key), or SWARMKEEPER_ALLOW_INSECURE_TCP=1 to allow it explicitly`,
    );
  }
  const name = spec.tls.secretRef.name;
  if (!secrets.getAll)
    throw skError(
      'CONNECTION_CONFIG',
      `${key}: spec.tls.secretRef ${namespace}/${name}: this Secret store cannot list keys`,
    );
  const all = await secrets.getAll(namespace, name);
  const ca = pick(all, 'ca.crt', 'ca.pem');
  const cert = pick(all, 'tls.crt', 'cert.pem');
  const tlsKey = pick(all, 'tls.key', 'key.pem');
  const missing = [!ca && 'ca.crt', !cert && 'tls.crt', !tlsKey && 'tls.key'].filter(Boolean);
  if (missing.length > 0)
    throw skError(
      'CONNECTION_CONFIG',
      `${key}: spec.tls.secretRef ${namespace}/${name}: missing key(s) ${missing.join(', ')}`,
    );
  return {
    host: parsed.host,
    port: parsed.port,
    protocol: 'https',
    ca: ca!,
    cert: cert!,
    key: tlsKey!,
    version: DOCKER_API_VERSION,
  };
}

export async function nodeDocker(
  key: string,
  namespace: string,
  spec: Pick<SwarmNodeSpecInput, 'address' | 'tls'>,
  secrets: SecretResolver,
): Promise<Docker> {
  return new Docker(await nodeDockerOptions(key, namespace, spec, secrets));
}
