/** ContainerSpec fields as docker/cli 28's convert package fills them (capabilities, DNS, hosts, ...). */
import { describe, expect, it } from 'vitest';
import { baseSpec, ct, deploy, merge, serviceOf } from './helpers.js';

const svc = (body: string, top = ''): string => `services:\n  s:\n    image: img:1\n${body}\n${top}`;

const cases: { title: string; yaml: string; patch: Record<string, unknown> }[] = [
  {
    title: 'cap_add wins over cap_drop: a capability in both is only added',
    yaml: svc('    cap_add: [NET_ADMIN]\n    cap_drop: [NET_ADMIN, CHOWN]'),
    patch: ct({ CapabilityAdd: ['CAP_NET_ADMIN'], CapabilityDrop: ['CAP_CHOWN'] }),
  },
  {
    title: 'cap_add wins over cap_drop whatever the spelling',
    yaml: svc('    cap_add: [" net_admin "]\n    cap_drop: [CAP_NET_ADMIN, cap_chown, SYS_TIME]'),
    patch: ct({ CapabilityAdd: ['CAP_NET_ADMIN'], CapabilityDrop: ['CAP_CHOWN', 'CAP_SYS_TIME'] }),
  },
  {
    title: 'cap_drop alone: normalised, deduplicated, sorted',
    yaml: svc('    cap_drop: [sys_time, CAP_CHOWN, chown, all_caps]'),
    patch: ct({ CapabilityDrop: ['CAP_ALL_CAPS', 'CAP_CHOWN', 'CAP_SYS_TIME'] }),
  },
  {
    title: 'cap_drop ALL with cap_add: drop is ALL only, add is kept',
    yaml: svc('    cap_add: [NET_ADMIN]\n    cap_drop: [all, CHOWN]'),
    patch: ct({ CapabilityAdd: ['CAP_NET_ADMIN'], CapabilityDrop: ['ALL'] }),
  },
  {
    title: 'ALL in both: added, nothing dropped',
    yaml: svc('    cap_add: [all]\n    cap_drop: [ALL]'),
    patch: ct({ CapabilityAdd: ['ALL'] }),
  },
  {
    title: 'empty cap lists send nothing',
    yaml: svc('    cap_add: []\n    cap_drop: []'),
    patch: {},
  },
  {
    title: 'dns_search without dns keeps its DNSConfig',
    yaml: svc('    dns_search: [example.com, b.example]'),
    patch: ct({ DNSConfig: { Search: ['example.com', 'b.example'] } }),
  },
  {
    title: 'dns_search string without dns',
    yaml: svc('    dns_search: example.com'),
    patch: ct({ DNSConfig: { Search: ['example.com'] } }),
  },
  {
    title: 'dns without dns_search',
    yaml: svc('    dns: 8.8.8.8'),
    patch: ct({ DNSConfig: { Nameservers: ['8.8.8.8'] } }),
  },
  {
    title: 'empty dns and dns_search lists send no DNSConfig',
    yaml: svc('    dns: []\n    dns_search: []'),
    patch: {},
  },
];

describe('toSwarm: container fields', () => {
  it.each(cases.map((c) => [c.title, c] as const))('%s', (_title, c) => {
    expect(serviceOf(deploy(c.yaml), 'st_s')).toEqual(merge(baseSpec(), c.patch));
  });
});
