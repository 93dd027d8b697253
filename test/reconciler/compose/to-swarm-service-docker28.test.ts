/** Translations docker/cli 28's convert package makes that swarmkeeper once refused. */
import { describe, expect, it } from 'vitest';
import { loadCompose } from '../../../reconciler/compose/load.js';
import { toSwarm } from '../../../reconciler/compose/to-swarm.js';
import {
  INSTANCE,
  OWNER,
  baseSpec,
  ct,
  deploy,
  memFiles,
  merge,
  serviceOf,
  SECRET_HASH_KEY,
} from './helpers.js';

const svc = (body: string, top = ''): string => `services:\n  s:\n    image: img:1\n${body}\n${top}`;

const cases: { title: string; yaml: string; patch: Record<string, unknown> }[] = [
  {
    title: 'generic resources -> Reservations.GenericResources (discrete)',
    yaml: svc(
      '    deploy:\n      resources:\n        reservations:\n          cpus: "0.5"\n          generic_resources:\n            - discrete_resource_spec: {kind: gpu, value: 2}\n            - discrete_resource_spec: {kind: ssd, value: 1}',
    ),
    patch: {
      TaskTemplate: {
        Resources: {
          Reservations: {
            NanoCPUs: 500000000,
            GenericResources: [
              { DiscreteResourceSpec: { Kind: 'gpu', Value: 2 } },
              { DiscreteResourceSpec: { Kind: 'ssd', Value: 1 } },
            ],
          },
        },
      },
    },
  },
  {
    title: 'replicated-job: replicas are MaxConcurrent and TotalCompletions',
    yaml: svc('    deploy: {mode: replicated-job, replicas: 3}'),
    patch: { Mode: { Replicated: undefined, ReplicatedJob: { MaxConcurrent: 3, TotalCompletions: 3 } } },
  },
  {
    title: 'replicated-job without replicas: the Engine default',
    yaml: svc('    deploy: {mode: replicated-job}'),
    patch: { Mode: { Replicated: undefined, ReplicatedJob: {} } },
  },
  {
    title: 'global-job, restart policy and update config passed as given',
    yaml: svc(
      '    deploy:\n      mode: global-job\n      restart_policy: {condition: on-failure}\n      update_config: {parallelism: 2}',
    ),
    patch: {
      Mode: { Replicated: undefined, GlobalJob: {} },
      TaskTemplate: { RestartPolicy: { Condition: 'on-failure' } },
      UpdateConfig: { Parallelism: 2, MaxFailureRatio: 0 },
    },
  },
  {
    title: 'untagged image -> :latest in the spec, the label keeps the text',
    yaml: 'services:\n  s:\n    image: docker.io/library/nginx\n',
    patch: {
      Labels: { 'com.docker.stack.image': 'docker.io/library/nginx' },
      ...ct({ Image: 'nginx:latest' }),
    },
  },
  {
    title: 'service network driver_opts; ipv4_address dropped (as docker)',
    yaml: svc(
      '    networks:\n      n:\n        driver_opts: {com.example.x: 1}\n        ipv4_address: 10.0.0.5',
      'networks:\n  n: {}\n',
    ),
    patch: {
      TaskTemplate: {
        Networks: [{ Target: 'st_n', Aliases: ['s'], DriverOpts: { 'com.example.x': '1' } }],
      },
    },
  },
  {
    title: 'credential_spec file -> Privileges.CredentialSpec',
    yaml: svc('    credential_spec: {file: spec.json}'),
    patch: ct({
      Privileges: { CredentialSpec: { File: 'spec.json' }, SELinuxContext: null, NoNewPrivileges: false },
    }),
  },
  {
    title: 'start_interval and oom_score_adj are not sent (Engine API 1.41)',
    yaml: svc('    oom_score_adj: 100\n    healthcheck: {test: [CMD, "true"], start_interval: 2s}'),
    patch: ct({ Healthcheck: { Test: ['CMD', 'true'] } }),
  },
  {
    title: 'ignored keys change nothing in the spec; restart still becomes the restart policy',
    yaml: svc(
      '    build: .\n    container_name: c\n    depends_on: [db]\n    tmpfs: /run\n    restart: always',
    ),
    patch: { TaskTemplate: { RestartPolicy: { Condition: 'any' } } },
  },
  {
    title: 'relative bind of an absolute file name: its own folder',
    yaml: svc('    volumes: ["./data/:/data", "../up:/up:ro", "/abs/x/:/x"]'),
    patch: ct({
      Mounts: [
        { Type: 'bind', Source: '/stacks/st/data', Target: '/data' },
        { Type: 'bind', Source: '/stacks/up', Target: '/up', ReadOnly: true },
        { Type: 'bind', Source: '/abs/x/', Target: '/x' },
      ],
    }),
  },
];

describe('toSwarm: docker CLI 28 translations', () => {
  it.each(cases.map((c) => [c.title, c] as const))('%s', (_title, c) => {
    expect(serviceOf(deploy(c.yaml), 'st_s')).toEqual(merge(baseSpec(), c.patch));
  });

  it.each([
    ['stacks/app/docker-compose.yml', '/srv/infra', '/srv/infra/stacks/app/data'],
    ['docker-compose.yml', '/srv/infra', '/srv/infra/data'],
    ['/abs/app/stack.yml', '/srv/infra', '/abs/app/data'],
  ])('relative bind in %s with bindRoot %s -> %s', (file, bindRoot, source) => {
    const p = loadCompose(
      { file, text: svc('    volumes: ["./data:/data"]') },
      { env: {}, files: memFiles({}), bindRoot },
    );
    expect(p.services['s']?.volumes?.[0]?.source).toBe(source);
  });

  it.each([
    ['configs', 'cfg', 'template_driver: golang', { Templating: { Name: 'golang' } }],
    ['secrets', 'sec', 'template_driver: golang', { Templating: { Name: 'golang' } }],
    ['configs', 'cfg', '', {}],
  ])('%s template_driver -> Templating on the spec (%s %s)', (kind, key, extra, want) => {
    const files = memFiles({ '/stacks/st/t.txt': '{{ .Service.Name }}' });
    const text = `services:\n  s:\n    image: img:1\n    ${kind}: [${key}]\n${kind}:\n  ${key}:\n    file: ./t.txt\n    ${extra}\n`;
    const project = loadCompose({ file: '/stacks/st/stack.yml', text }, { env: {}, files });
    const state = toSwarm(
      { name: 'st', project },
      { owner: OWNER, instanceId: INSTANCE, files, secretHashKey: SECRET_HASH_KEY },
    );
    const obj = state.objects.find((o) => o.kind === kind.slice(0, -1));
    const spec = obj?.spec as { Templating?: unknown };
    expect(spec.Templating).toEqual((want as { Templating?: unknown }).Templating);
  });

  it('a template driver gives another version name than the same data without one', () => {
    const files = memFiles({ '/stacks/st/t.txt': 'x' });
    const names = ['template_driver: golang', ''].map((extra) => {
      const text = `services:\n  s:\n    image: img:1\nconfigs:\n  c:\n    file: ./t.txt\n    ${extra}\n`;
      const project = loadCompose({ file: '/stacks/st/stack.yml', text }, { env: {}, files });
      return toSwarm(
        { name: 'st', project },
        { owner: OWNER, instanceId: INSTANCE, files, secretHashKey: SECRET_HASH_KEY },
      ).objects.find((o) => o.kind === 'config')?.name;
    });
    expect(names[0]).not.toBe(names[1]);
  });
});
