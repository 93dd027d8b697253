import { createHash, createHmac } from 'node:crypto';
import { errorName, skError } from '../errors.js';
import type { NetworkSpec } from '../model/engine-types.js';
import type {
  DesiredConfig,
  DesiredNetwork,
  DesiredObject,
  DesiredSecret,
  DesiredService,
  DesiredState,
  ExternalRef,
} from '../model/objects.js';
import { LABEL_CONTENT_HASH, LABEL_LOGICAL_NAME, ownerLabels, type OwnerRef } from '../model/ownership.js';
import { Sensitive } from '../model/sensitive.js';
import type { FileReader } from '../ports.js';
import { stampHookRevisions } from './hooks.js';
import { resolveRelative } from './load.js';
import {
  networkName,
  serviceNetworkKeys,
  serviceSpec,
  stackLabels,
  type ObjectNames,
} from './to-swarm-service.js';
import type { ComposeConfig, ComposeNetwork, ComposeProject, ComposeSecret } from './types.js';
import { byKey } from '../model/order.js';

export interface ToSwarmStack {
  /** Stack namespace: objects are named `<name>_<key>` and labelled com.docker.stack.namespace=<name>. */
  name: string;
  project: ComposeProject;
  /** The compose file (relative config/secret files resolve against its directory); default project.file. */
  file?: string;
}

export interface ToSwarmOptions {
  owner: OwnerRef;
  instanceId: string;
  /** Reads config/secret `file:` sources. */
  files?: FileReader;
  /**
   * The instance's key for secret names (controllers/docker/secret-hash-key.ts): a secret is
   * named and labelled with a keyed hash of its value, so its name cannot confirm a guessed value.
   */
  secretHashKey: Uint8Array;
}

/** First 10 hex characters of the sha256 of the content. */
export function contentHash(data: Uint8Array, templateDriver?: string): string {
  const h = createHash('sha256').update(data);
  // A template driver changes what tasks see, so it is part of the version (no suffix without one).
  if (templateDriver !== undefined) h.update(`\0template_driver=${templateDriver}`);
  return h.digest('hex').slice(0, 10);
}

const templating = (driver: string | undefined): { Templating?: { Name: string } } =>
  driver === undefined ? {} : { Templating: { Name: driver } };

/**
 * First 10 hex characters of HMAC-SHA256(key, value): a secret's name suffix and content-hash label.
 * Stable for one key (one instance), unrelated across keys, and without the key a name says
 * nothing about the value (an unsalted hash would let anyone who sees the name test guesses offline).
 * A template driver is part of the version, as for configs.
 */
export function secretHash(key: Uint8Array, data: Uint8Array, templateDriver?: string): string {
  if (key.length < 16) throw new Error('secret hash key: at least 16 bytes are required');
  const h = createHmac('sha256', key).update(data);
  if (templateDriver !== undefined) h.update(`\0template_driver=${templateDriver}`);
  return h.digest('hex').slice(0, 10);
}

const byName = byKey((o: { name: string }) => o.name);

function networkSpec(stack: string, net: ComposeNetwork, name: string): NetworkSpec {
  const spec: NetworkSpec = {
    Name: name,
    Driver: net.driver ?? 'overlay',
    Scope: 'swarm',
    Labels: stackLabels(stack, net.labels),
  };
  if (net.internal) spec.Internal = true;
  if (net.attachable) spec.Attachable = true;
  if (net.driver_opts !== undefined) spec.Options = { ...net.driver_opts };
  const ipam = net.ipam;
  if (ipam && (ipam.driver !== undefined || (ipam.config?.length ?? 0) > 0 || ipam.options !== undefined)) {
    spec.IPAM = { Driver: ipam.driver ?? 'default' };
    if (ipam.config?.length) {
      spec.IPAM.Config = ipam.config.map((c) => ({
        ...(c.subnet ? { Subnet: c.subnet } : {}),
        ...(c.ip_range ? { IPRange: c.ip_range } : {}),
        ...(c.gateway ? { Gateway: c.gateway } : {}),
        ...(c.aux_addresses ? { AuxiliaryAddresses: c.aux_addresses } : {}),
      }));
    }
    if (ipam.options !== undefined) spec.IPAM.Options = ipam.options;
  }
  return spec;
}

function readContent(
  kind: 'configs' | 'secrets',
  key: string,
  obj: ComposeConfig | ComposeSecret,
  file: string,
  files: FileReader | undefined,
): Uint8Array {
  if ('refValue' in obj && obj.refValue) return obj.refValue.reveal();
  if (obj.content !== undefined) return new TextEncoder().encode(obj.content);
  if ('environmentValue' in obj && obj.environmentValue)
    return new TextEncoder().encode(obj.environmentValue.reveal());
  const path = resolveRelative(file, obj.file ?? '');
  if (!files)
    throw skError(
      'FILE_UNREADABLE',
      `${file}: ${kind}.${key}.file: cannot read "${path}": no file reader is available`,
    );
  try {
    return files.readBytes(path);
  } catch (e) {
    // the reader's own code (a refused link or device, bad bytes) and message, without its path
    const why = (e instanceof Error ? e.message : String(e)).replace(`${path}: `, '');
    throw skError(
      errorName(e) ?? 'FILE_UNREADABLE',
      `${file}: ${kind}.${key}.file: cannot read "${path}": ${why}`,
      {
        cause: e,
      },
    );
  }
}

/**
 * The Swarm objects `docker stack deploy` would create from a compose project, with
 * swarmkeeper's ownership labels on object labels (never inside the task template).
 * Configs are named `<stack>_<key>-<sha256[:10]>` and secrets `<stack>_<key>-<hmac[:10]>` (keyed
 * with opts.secretHashKey), or `<name:>-<hash>`, so a content change creates a new object. Stack volumes travel inside mounts, as with docker stack deploy.
 */
export function toSwarm(stack: ToSwarmStack, opts: ToSwarmOptions): DesiredState {
  const { name: ns, project } = stack;
  const file = stack.file ?? project.file;
  const own = ownerLabels(opts.owner, opts.instanceId);
  const external: ExternalRef[] = [];

  const networks: DesiredNetwork[] = [];
  const usedNets = new Set(Object.values(project.services).flatMap(serviceNetworkKeys));
  for (const key of [...usedNets].sort()) {
    const net = project.networks[key] ?? {};
    const name = networkName(ns, project, key);
    if (net.external?.external) {
      external.push({ kind: 'network', name, source: `${file}: networks.${key}` });
      continue;
    }
    const spec = networkSpec(ns, net, name);
    spec.Labels = { ...spec.Labels, ...own };
    networks.push({ kind: 'network', name, spec });
  }

  const names: ObjectNames = { configs: new Map(), secrets: new Map() };
  /**
   * A config or secret as a version: its Swarm name `<base>-<hash>`, its labels and content; an
   * external one is only recorded (it must exist) and yields nothing.
   */
  const version = (
    kind: 'configs' | 'secrets',
    key: string,
    obj: ComposeConfig | ComposeSecret,
    hashOf: (data: Uint8Array) => string,
  ) => {
    const base = obj.name ?? (obj.external?.external ? (obj.external.name ?? key) : `${ns}_${key}`);
    if (obj.external?.external) {
      names[kind].set(key, base);
      external.push({
        kind: kind === 'configs' ? 'config' : 'secret',
        name: base,
        source: `${file}: ${kind}.${key}`,
      });
      return undefined;
    }
    const data = readContent(kind, key, obj, file, opts.files);
    const hash = hashOf(data);
    const name = `${base}-${hash}`;
    names[kind].set(key, name);
    const Labels = {
      ...stackLabels(ns, obj.labels),
      ...own,
      [LABEL_LOGICAL_NAME]: base,
      [LABEL_CONTENT_HASH]: hash,
    };
    return { name, logicalName: base, hash, Labels, data: Buffer.from(data).toString('base64') };
  };

  const configs: DesiredConfig[] = [];
  for (const [key, cfg] of Object.entries(project.configs)) {
    const v = version('configs', key, cfg, (d) => contentHash(d, cfg.template_driver));
    if (!v) continue;
    const { name, logicalName, hash, Labels, data } = v;
    const spec = { Name: name, Labels, Data: data, ...templating(cfg.template_driver) };
    configs.push({ kind: 'config', name, logicalName, hash, spec });
  }

  const secrets: DesiredSecret[] = [];
  for (const [key, sec] of Object.entries(project.secrets)) {
    const v = version('secrets', key, sec, (d) => secretHash(opts.secretHashKey, d, sec.template_driver));
    if (!v) continue;
    const { name, logicalName, hash, Labels, data } = v;
    const spec = { Name: name, Labels, Data: new Sensitive(data), ...templating(sec.template_driver) };
    secrets.push({ kind: 'secret', name, logicalName, hash, spec });
  }

  const services: DesiredService[] = Object.entries(project.services).map(([key, svc]) => {
    const spec = serviceSpec(ns, key, svc, project, names);
    spec.Labels = { ...spec.Labels, ...own };
    return { kind: 'service', name: spec.Name, spec };
  });

  const objects: DesiredObject[] = stampHookRevisions([
    ...networks.sort(byName),
    ...configs.sort(byName),
    ...secrets.sort(byName),
    ...services.sort(byName),
  ]);
  return {
    owner: opts.owner,
    objects,
    ...(external.length > 0 ? { external } : {}),
    ...(project.warnings.length > 0 ? { warnings: [...project.warnings] } : {}),
  };
}
