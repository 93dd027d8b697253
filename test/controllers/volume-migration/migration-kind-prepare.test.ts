// What the SwarmVolumeMigration kind hands the machine: nodes resolved (by ID first, then hostname;
// only ready ones), the inline or volumeRef target, refusals of a target that is the source, the
// consumers and corrected stacks; the input hash, deletion marks and the environment settings.
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import {
  isBeingDeleted,
  migrationEnv,
  migrationInputHash,
} from '../../../controllers/volume-migration/migration-prepare.js';
import type { DiscoverInput, EnsureTargetInput } from '../../../machines/volume-migration.types.js';
import { ownerLabels } from '../../../reconciler/model/ownership.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import { KEY, WEB, harness, resource } from './migration-kind-harness.js';

const node = (id: string, hostname: string, state = 'ready') => ({
  ID: id,
  Spec: { Role: 'worker' },
  Description: { Hostname: hostname },
  Status: { State: state },
});
const managerWith = (nodes: object[]) =>
  ({
    modem: {
      dial(opts: { path: string }, cb: (err: unknown, data: unknown) => void) {
        if (opts.path === '/nodes') cb(null, nodes);
        else cb(new Error(`unexpected call ${opts.path}`), undefined);
      },
    },
  }) as unknown as Docker;

/** Runs one reconcile and returns what discover and ensureTarget were given. */
async function inputs(
  spec: Record<string, unknown>,
  opts: { nodes?: object[]; resources?: DesiredResource[] } = {},
) {
  const h = harness(opts.nodes ? { deps: { manager: managerWith(opts.nodes), retryMs: 777 } } : {});
  if (opts.resources) h.setResources(opts.resources);
  let discover: DiscoverInput | undefined;
  let ensure: EnsureTargetInput | undefined;
  h.setActors({
    discover: async ({ input }) => {
      discover = input;
      return [WEB];
    },
    ensureTarget: async ({ input }) => {
      ensure = input;
      return { exists: true, created: true, driver: 'x' };
    },
  });
  const r = await h.reconciler.reconcile(resource(spec), h.ctx());
  return { r, discover, ensure };
}

const volumeRes = (namespace: string, name: string, spec: Record<string, unknown>): DesiredResource => ({
  ...resource(),
  key: `SwarmVolume/${namespace}/${name}`,
  kind: 'SwarmVolume',
  namespace,
  name,
  spec,
});

describe('SwarmVolumeMigration kind: the machine input', () => {
  it('an inline target: its name, driver, options, and its labels with the owner labels', async () => {
    const { ensure, discover } = await inputs({
      target: {
        node: 'n2',
        spec: { name: 'data2', driver: 'swlvol', driverOpts: { size: '1G' }, labels: { x: 'y' } },
      },
    });
    expect(ensure?.target).toEqual({
      volume: 'data2',
      node: { node: 'n2', hostname: 'n2', id: 'ID2' },
      create: {
        driver: 'swlvol',
        driverOpts: { size: '1G' },
        labels: {
          x: 'y',
          ...ownerLabels({ kind: 'SwarmVolumeMigration', namespace: 'default', name: 'move' }, 'test'),
        },
      },
      origin: 'spec.target.spec',
    });
    expect(discover?.source).toEqual({ volume: 'data', node: { node: 'n1', hostname: 'n1', id: 'ID1' } });
    expect(discover && 'consumers' in discover && discover.consumers !== undefined).toBe(false);
    expect(discover?.corrected).toBeUndefined();
  });

  it('an inline target without name or driver: the resource name, nothing else but the owner labels', async () => {
    const { ensure } = await inputs({ target: { node: 'n2', spec: {} } });
    expect(ensure?.target.volume).toBe('move');
    expect(ensure?.target.create).toEqual({
      labels: ownerLabels({ kind: 'SwarmVolumeMigration', namespace: 'default', name: 'move' }, 'test'),
    });
  });

  it('spec.consumers go to discover', async () => {
    const { discover } = await inputs({ consumers: ['web', 'api'] });
    expect(discover?.consumers).toEqual(['web', 'api']);
  });

  it('a node is found by ID before hostname', async () => {
    const nodes = [node('ID1', 'n1'), node('n2', 'n1'), node('ID2', 'n2')];
    const { ensure } = await inputs({}, { nodes });
    expect(ensure?.target.node).toEqual({ node: 'n2', hostname: 'n1', id: 'n2' });
    const byId = await inputs({ source: { volume: 'data', node: 'ID1' } });
    expect(byId.discover?.source.node).toEqual({ node: 'ID1', hostname: 'n1', id: 'ID1' });
  });

  it.each([
    ['down', 'spec.target.node: node n2 is down'],
    ['disconnected', 'spec.target.node: node n2 is disconnected'],
  ])('a %s node: waiting, requeued after retryMs', async (state, msg) => {
    const { r } = await inputs({}, { nodes: [node('ID1', 'n1'), node('ID2', 'n2', state)] });
    expect(r.error).toMatchObject({
      code: 'SK_ERR_DEPENDENCY_NOT_READY',
      message: `${KEY}: ${msg}`,
      requeueAfterMs: 777,
    });
  });

  it('an unknown node waits with retryMs', async () => {
    const { r } = await inputs({ target: { node: 'n9', spec: {} } }, { nodes: [node('ID1', 'n1')] });
    expect(r.error).toMatchObject({
      message: `${KEY}: spec.target.node: no swarm node n9`,
      requeueAfterMs: 777,
    });
  });

  it.each([
    ['the same volume on the same node (by ID)', { node: 'ID1', spec: { name: 'data' } }, true],
    ['the same volume name on another node', { node: 'n2', spec: { name: 'data' } }, false],
    ['another volume on the same node', { node: 'n1', spec: { name: 'data2' } }, false],
  ])('%s: refused = %s', async (_n, target, refused) => {
    const { r } = await inputs({ target });
    if (refused) {
      expect(r.error).toMatchObject({
        code: 'SK_ERR_RESOURCE_INVALID',
        message: `${KEY}: spec.target: the target is the source volume itself`,
      });
    } else expect(r.status['phase']).toBe('Succeeded');
  });

  it('a volumeRef finds the SwarmVolume by namespace and name; its spec.name, else its name', async () => {
    const resources = [
      volumeRes('default', 'vol', { name: 'wrong-namespace' }),
      volumeRes('other', 'nope', { name: 'wrong-name' }),
      volumeRes('other', 'vol', { name: 'docker-vol' }),
      volumeRes('other', 'plain', {}),
    ];
    const named = await inputs(
      { target: { node: 'n2', volumeRef: { name: 'vol', namespace: 'other' } } },
      { resources },
    );
    expect(named.ensure?.target).toEqual({
      volume: 'docker-vol',
      node: { node: 'n2', hostname: 'n2', id: 'ID2' },
      origin: 'spec.target.volumeRef other/vol',
    });
    const plain = await inputs(
      { target: { node: 'n2', volumeRef: { name: 'plain', namespace: 'other' } } },
      { resources },
    );
    expect(plain.ensure?.target.volume).toBe('plain');
    const local = await inputs({ target: { node: 'n2', volumeRef: { name: 'vol' } } }, { resources });
    expect(local.ensure?.target.volume).toBe('wrong-namespace');
  });

  it('an inline target with a preset is refused with the way out', async () => {
    const { r } = await inputs({ target: { node: 'n2', spec: { preset: { type: 'local', tmpfs: true } } } });
    expect(r.error?.message).toBe(
      `${KEY}: spec.target.spec.preset: presets are not supported for migration targets; ` +
        'create a SwarmVolume with the preset and refer to it with spec.target.volumeRef',
    );
  });

  it('a source node without endpoint names spec.source.node', async () => {
    const h = harness({ known: ['n2'] });
    const r = await h.reconciler.reconcile(resource(), h.ctx());
    expect(r.error?.message).toMatch(
      new RegExp(`^${KEY}: spec\\.source\\.node n1: no Docker endpoint for the node`),
    );
  });
});

describe('migration-prepare helpers', () => {
  const base = {
    mode: 'migrate' as const,
    key: KEY,
    source: { volume: 'data', node: { node: 'n1', hostname: 'n1', id: 'ID1' } },
    target: { volume: 'data2', node: { node: 'n2', hostname: 'n2', id: 'ID2' }, origin: 'x' },
  };
  it.each([
    ['source volume', { source: { ...base.source, volume: 'other' } }],
    ['source node', { source: { ...base.source, node: { ...base.source.node, id: 'ID9' } } }],
    ['target volume', { target: { ...base.target, volume: 'other' } }],
    ['target node', { target: { ...base.target, node: { ...base.target.node, id: 'ID9' } } }],
    ['mode', { mode: 'cancel' as const }],
    ['key', { key: 'SwarmVolumeMigration/default/other' }],
  ])('the input hash changes with the %s', (_n, over) => {
    expect(migrationInputHash({ ...base, ...over })).not.toBe(migrationInputHash(base));
  });
  it('the input hash ignores hostnames, origin and the rest', () => {
    const same = {
      ...base,
      source: { ...base.source, node: { ...base.source.node, hostname: 'renamed' } },
      target: { ...base.target, origin: 'y' },
    };
    expect(migrationInputHash(same)).toBe(migrationInputHash(base));
  });

  it.each([
    [undefined, false],
    [{}, false],
    [{ metadata: {} }, false],
    [{ metadata: { deletionTimestamp: '' } }, false],
    [{ metadata: { deletionTimestamp: 5 } }, false],
    [{ metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } }, true],
  ])('isBeingDeleted(document %j) = %s', (document, want) => {
    const r = { ...resource(), ...(document === undefined ? {} : { document }) } as DesiredResource;
    expect(isBeingDeleted(r)).toBe(want);
  });

  it('an empty helper image setting is no setting', () => {
    expect(migrationEnv({ SWARMKEEPER_MIGRATION_HELPER_IMAGE: '' })).toEqual({});
    expect(migrationEnv({ SWARMKEEPER_MIGRATION_HELPER_IMAGE: 'reg/h:1' })).toEqual({
      helperImage: 'reg/h:1',
    });
  });
});
