// The ownership law of the SwarmPlugin kind, over random fleets: a plugin swarmkeeper did not install
// is never written to, by reconcile or by remove, whatever its reference, state or nodeSelector;
// every plugin swarmkeeper installed is gone after remove.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REF1, REF2, setup } from './plugin-harness.js';

const fleet = fc.array(
  fc.record({
    zone: fc.constantFrom('a', 'b'),
    foreign: fc.option(fc.record({ remote: fc.constantFrom(REF1, REF2), enabled: fc.boolean() }), {
      nil: undefined,
    }),
  }),
  { minLength: 1, maxLength: 4 },
);

describe('SwarmPlugin kind: ownership law', () => {
  it('never writes to a plugin it did not install; removes all it installed', async () => {
    await fc.assert(
      fc.asyncProperty(fleet, fc.constantFrom(undefined, { zone: 'a' }), async (nodes, nodeSelector) => {
        const t = setup();
        const foreign = new Map<string, { remote: string; enabled: boolean }>();
        nodes.forEach((n, i) => {
          const node = t.swarm.node(`n${i}`, { labels: { zone: n.zone } });
          if (n.foreign) {
            t.swarm.plugin(node, 'swlvol', n.foreign.remote, { Enabled: n.foreign.enabled });
            foreign.set(node.hostname, n.foreign);
          }
        });
        await t.reconcile(nodeSelector ? { nodeSelector } : {});
        for (const n of t.swarm.nodes.values()) {
          const selected = nodeSelector === undefined || n.labels['zone'] === 'a';
          if (selected && !foreign.has(n.hostname))
            expect(n.plugins.get('swlvol')).toMatchObject({ PluginReference: REF1, Enabled: true });
        }
        await t.remove();
        for (const c of t.swarm.writes) expect(foreign.has(c.split(' ')[0]!)).toBe(false);
        for (const n of t.swarm.nodes.values()) {
          const p = n.plugins.get('swlvol');
          const f = foreign.get(n.hostname);
          if (f) expect({ remote: p?.PluginReference, enabled: p?.Enabled }).toEqual(f);
          else expect(p).toBeUndefined();
        }
        expect(await t.owned()).toEqual([]);
      }),
      { numRuns: 30 },
    );
  });
});
