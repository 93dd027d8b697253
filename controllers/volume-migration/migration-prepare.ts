/**
 * What a SwarmVolumeMigration run starts from: its spec resolved against the swarm (source and target
 * nodes, the target volume, the consumers swarmkeeper corrects) and the daemons of both nodes; a
 * waiting error (requeued) names what is not there yet. Also the environment's settings and the keys
 * of the stored snapshot.
 */
import type Docker from 'dockerode';
import type { FleetNode } from '../../machines/plugin-fleet.js';
import type {
  MigrationNode,
  MigrationPolicy,
  MigrationTarget,
  VolumeMigrationInput,
} from '../../machines/volume-migration.types.js';
import type { SwarmVolumeMigration } from '../../reconciler/api/resource.js';
import { skError } from '../../reconciler/errors.js';
import { ownerLabels } from '../../reconciler/model/ownership.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import { parseByteRate } from '../../reconciler/units/size.js';
import type { KindReconcileContext } from '../ports.js';
import { hashInput } from '../machine-runner/machine-runner.js';
import type { NodeEndpoints } from '../machine-runner/node-endpoints.js';
import type { ResourceNodeEndpoints } from '../machine-runner/resource-node-endpoints.js';
import { listFleetNodes } from '../machine-runner/swarm-nodes.js';

export interface MigrationEnv {
  helperImage?: string;
  bytesPerSecond?: number;
}

/** The environment's migration settings (see the module comment). */
export function migrationEnv(env: Record<string, string | undefined>): MigrationEnv {
  const out: MigrationEnv = {};
  const image = env['SWARMKEEPER_MIGRATION_HELPER_IMAGE'];
  if (image) out.helperImage = image;
  const bw = env['SWARMKEEPER_MIGRATION_BANDWIDTH'];
  if (bw) out.bytesPerSecond = parseByteRate(bw, 'SWARMKEEPER_MIGRATION_BANDWIDTH');
  return out;
}

/** Snapshot key of a migration: its resource key. */
export const migrationMachineKey = (key: string): string => key;

/** Only what identifies the migration: a resumed run keeps the consumers and options it started with. */
export function migrationInputHash(
  i: Pick<VolumeMigrationInput, 'mode' | 'key' | 'source' | 'target'>,
): string {
  return hashInput({
    mode: i.mode,
    key: i.key,
    source: [i.source.volume, i.source.node.id],
    target: [i.target.volume, i.target.node.id],
  });
}

export interface Prepared {
  input: VolumeMigrationInput;
  source: Docker;
  target: Docker;
}

/** A waiting error: nothing is wrong with the spec, something is not there yet. */
const waiting = (message: string, retryMs: number) =>
  skError('DEPENDENCY_NOT_READY', message, { requeueAfterMs: retryMs });

function findNode(nodes: readonly FleetNode[], name: string): FleetNode | undefined {
  return nodes.find((n) => n.id === name) ?? nodes.find((n) => n.hostname === name);
}

const toMigrationNode = (spec: string, n: FleetNode): MigrationNode => ({
  node: spec,
  hostname: n.hostname,
  id: n.id,
});

export function isBeingDeleted(r: DesiredResource): boolean {
  const meta = (r.document?.['metadata'] ?? {}) as { deletionTimestamp?: unknown };
  return typeof meta.deletionTimestamp === 'string' && meta.deletionTimestamp !== '';
}

export function migrationPreparer(
  deps: { manager: Docker; endpoints: ResourceNodeEndpoints; instanceId: string },
  retryMs: number,
  policy: MigrationPolicy,
) {
  /** The daemons of both nodes; a waiting error names what is missing. */
  function clients(
    endpoints: NodeEndpoints,
    source: MigrationNode,
    target: MigrationNode,
    key: string,
  ): Pick<Prepared, 'source' | 'target'> {
    const get = (n: MigrationNode, field: string) => {
      const d = endpoints.docker(n);
      if (d === undefined)
        throw waiting(
          `${key}: ${field} ${n.node}: no Docker endpoint for the node (${endpoints.describe(n)}); ` +
            `give one with --node-endpoint ${n.hostname}=URL or a SwarmNode resource`,
          retryMs,
        );
      return d;
    };
    return { source: get(source, 'spec.source.node'), target: get(target, 'spec.target.node') };
  }

  async function prepare(
    mig: SwarmVolumeMigration,
    res: DesiredResource,
    ctx: KindReconcileContext,
  ): Promise<Prepared> {
    const key = res.key;
    const spec = mig.spec;
    const endpoints = await deps.endpoints.resolve(ctx.resources('SwarmNode'), ctx.log, ctx.signal);
    const nodes = await listFleetNodes(deps.manager, ctx.signal);
    const node = (field: string, name: string): MigrationNode => {
      const n = findNode(nodes, name);
      if (n === undefined) throw waiting(`${key}: ${field}: no swarm node ${name}`, retryMs);
      if (n.state !== 'ready') throw waiting(`${key}: ${field}: node ${name} is ${n.state}`, retryMs);
      return toMigrationNode(name, n);
    };
    const sourceNode = node('spec.source.node', spec.source.node);
    const targetNode = node('spec.target.node', spec.target.node);

    let target: MigrationTarget;
    if (spec.target.spec !== undefined) {
      const v = spec.target.spec;
      if (v.preset !== undefined)
        throw skError(
          'RESOURCE_INVALID',
          `${key}: spec.target.spec.preset: presets are not supported for migration targets; ` +
            'create a SwarmVolume with the preset and refer to it with spec.target.volumeRef',
        );
      const create: NonNullable<MigrationTarget['create']> = {
        labels: {
          ...(v.labels ?? {}),
          ...ownerLabels({ kind: res.kind, namespace: res.namespace, name: res.name }, deps.instanceId),
        },
      };
      if (v.driver !== undefined) create.driver = v.driver;
      if (v.driverOpts !== undefined) create.driverOpts = v.driverOpts;
      target = { volume: v.name ?? res.name, node: targetNode, create, origin: 'spec.target.spec' };
    } else {
      const ref = spec.target.volumeRef!;
      const ns = ref.namespace ?? res.namespace;
      const origin = `spec.target.volumeRef ${ns}/${ref.name}`;
      const vol = ctx.resources('SwarmVolume').find((r) => r.namespace === ns && r.name === ref.name);
      if (vol === undefined) throw waiting(`${key}: ${origin}: no such SwarmVolume`, retryMs);
      const name = typeof vol.spec['name'] === 'string' ? vol.spec['name'] : vol.name;
      target = { volume: name, node: targetNode, origin };
    }
    if (target.volume === spec.source.volume && targetNode.id === sourceNode.id)
      throw skError('RESOURCE_INVALID', `${key}: spec.target: the target is the source volume itself`);

    const input: VolumeMigrationInput = {
      mode: 'migrate',
      key,
      source: { volume: spec.source.volume, node: sourceNode },
      target,
      deleteSource: spec.deleteSource,
      policy,
    };
    if (spec.consumers !== undefined) input.consumers = spec.consumers;
    // stacks whose services swarmkeeper keeps as desired: those cannot be consumers
    const owners = ctx
      .resources('SwarmStack')
      .filter((r) => r.spec['driftPolicy'] !== 'detect' && r.spec['suspend'] !== true)
      .map((r) => r.key)
      .sort();
    if (owners.length > 0) input.corrected = { instance: deps.instanceId, owners };
    return { input, ...clients(endpoints, sourceNode, targetNode, key) };
  }

  return { prepare, clients };
}
