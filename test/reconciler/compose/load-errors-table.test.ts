import { describe, expect, it } from 'vitest';
import { loadError, svc } from './load-error.js';

const cases: [string, string, string, string][] = [
  [
    'unknown deploy key lists the supported keys',
    svc('    deploy:\n      replicaz: 2'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:5: services.web.deploy.replicaz: unknown key "replicaz"; supported keys: endpoint_mode, labels, mode, placement, replicas, resources, restart_policy, rollback_config, update_config',
  ],
  [
    'keys docker stack deploy forbids are refused with its reason',
    svc('    volumes_from: [db]\n    mem_limit: 1g'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.volumes_from: unsupported option, refused by docker stack deploy too: To share a volume between services, define it using the top-level `volumes` option and reference it from each service that shares it using the service-level `volumes` option.\n' +
      'stack.yml:5: services.web.mem_limit: unsupported option, refused by docker stack deploy too: Set resource limits using deploy.resources',
  ],
  [
    'extends of a service the file does not define (docker stack deploy refuses extends; swarmkeeper resolves it)',
    svc('    extends: {service: base}'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.extends: service "base" is not defined in this file',
  ],
  [
    'depends_on long form is rejected, saying docker rejects it too',
    svc('    depends_on:\n      db: {condition: service_healthy}'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.depends_on: the long form (a mapping with condition) is rejected by docker stack deploy too, whose schema allows only a list of service names; use a list (swarm ignores it: services have no start order)',
  ],
  [
    'invalid image reference, with the rule quoted',
    'services:\n  web:\n    image: Nginx:1\n',
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:3: services.web.image: "Nginx:1" is refused by Swarm: "ContainerSpec: "Nginx:1" is not a valid repository/tag" (invalid reference format: repository name must be lowercase; the distribution reference grammar: [registry[:port]/]path[:tag][@digest], path components of [a-z0-9] joined by ".", "_", "__" or "-", a tag of at most 128 [A-Za-z0-9_.-] characters)',
  ],
  [
    'relative bind with a relative file name and no bindRoot names the option',
    svc('    volumes: ["./data:/data"]'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.volumes[0]: relative bind source "./data": the folder of this file on the Swarm nodes is unknown; set the source option bindRoot to where the source\'s files live on the nodes (e.g. --source dir=…,bindRoot=/srv/infra), or use an absolute path',
  ],
  [
    'generic resources take only discrete_resource_spec (docker 28 schema)',
    svc(
      '    deploy:\n      resources:\n        reservations:\n          generic_resources:\n            - named_resource_spec: {kind: gpu, value: a}',
    ),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:8: services.web.deploy.resources.reservations.generic_resources[0].named_resource_spec: unknown key "named_resource_spec"; supported keys: discrete_resource_spec',
  ],
  [
    'unknown top-level key',
    'version: "3"\nfoo: 1\nservices: {}\n',
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:2: foo: unknown key "foo"; supported keys: configs, name, networks, secrets, services, version, volumes',
  ],
  [
    'image of the wrong type',
    'services:\n  web:\n    image: [a]\n',
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:3: services.web.image: expected a string',
  ],
  [
    'missing image',
    'services:\n  web:\n    command: x\n',
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:2: services.web.image: required key is missing',
  ],
  // zod's own checks, in the words of the compose file (reconciler/compose/issues.ts)
  [
    'a mapping of the wrong type',
    svc('    deploy: 5'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.deploy: expected a mapping, got an integer',
  ],
  [
    'a mapping of names of the wrong type',
    svc('    ulimits: 5'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.ulimits: expected a mapping, got an integer',
  ],
  [
    'a list of the wrong type',
    'services:\n  web:\n    image: a\nnetworks:\n  n: {ipam: {config: 5}}\n',
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:5: networks.n.ipam.config: expected a list, got an integer',
  ],
  [
    'a nested required key',
    svc('    ulimits: {nofile: {soft: 1}}'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.ulimits.nofile.hard: required key is missing',
  ],
  [
    'a version that is not a string',
    'version: [x]\nservices:\n  web:\n    image: a\n',
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:1: version: expected a string',
  ],
  [
    'a string of the wrong type, in words (a mapping where a string belongs)',
    'services:\n  web:\n    image: a\nnetworks:\n  n: {driver: {a: 1}}\n',
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:5: networks.n.driver: expected a string',
  ],
  [
    'bind options on a volume mount',
    svc('    volumes: [{type: volume, source: v, target: /d, bind: {propagation: rprivate}}]'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.volumes[0].bind: bind options are incompatible with type volume',
  ],
  [
    'a tmpfs mount with a source',
    svc('    volumes: [{type: tmpfs, source: x, target: /t}]'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.volumes[0].source: a tmpfs mount takes no source',
  ],
  [
    'a bind mount without a source',
    svc('    volumes: [{type: bind, target: /t}]'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.volumes[0].source: a bind mount needs a source',
  ],
  [
    'negative replicas',
    svc('    deploy: {replicas: -1}'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.deploy.replicas: expected a non-negative integer',
  ],
  [
    'replicas not a number',
    svc('    deploy: {replicas: abc}'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.deploy.replicas: expected an integer, got "abc"',
  ],
  [
    'bad duration',
    svc('    stop_grace_period: 10x'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.stop_grace_period: invalid duration "10x"; expected e.g. 10s, 1m30s, 500ms',
  ],
  [
    'bad byte size',
    svc('    deploy: {resources: {limits: {memory: 12q}}}'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.deploy.resources.limits.memory: invalid byte size "12q"; expected e.g. 512M, 1g, 100k',
  ],
  [
    'bad cpus',
    svc('    deploy: {resources: {reservations: {cpus: lots}}}'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.deploy.resources.reservations.cpus: invalid cpus "lots"; expected a decimal such as 0.5',
  ],
  [
    'bad ports, each reported',
    svc('    ports: ["80/xyz", "9000-9002:80-81", {target: 80, protocol: icmp}]'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.ports[0]: invalid protocol "xyz"; supported: tcp, udp, sctp\n' +
      'stack.yml:4: services.web.ports[1]: invalid port range "9000-9002:80-81": published and container ranges must have the same size\n' +
      'stack.yml:4: services.web.ports[2].protocol: expected one of: tcp, udp, sctp',
  ],
  [
    'bad volumes',
    svc(
      '    volumes:\n      - /a:/b:rw,bogus\n      - {type: bind, target: /x}\n      - {type: npipe, target: /y}',
    ),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:5: services.web.volumes[0]: invalid volume option "bogus" in "/a:/b:rw,bogus"; supported: ro, rw, nocopy, shared, rshared, slave, rslave, private, rprivate, consistent, cached, delegated\n' +
      'stack.yml:6: services.web.volumes[1].source: a bind mount needs a source\n' +
      'stack.yml:7: services.web.volumes[2].type: expected one of: volume, bind, tmpfs',
  ],
  [
    'unknown deploy mode',
    svc('    deploy: {mode: foo}'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.deploy.mode: expected one of: replicated, global, replicated-job, global-job',
  ],
  [
    'replicas with global mode',
    svc('    deploy: {mode: global, replicas: 2}'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.deploy.replicas: replicas can only be used with replicated or replicated-job mode',
  ],
  [
    'healthcheck test with disable',
    svc('    healthcheck: {test: [CMD, x], disable: true}'),
    'SK_ERR_COMPOSE_INVALID',
    "stack.yml:4: services.web.healthcheck.disable: test and disable can't be set at the same time",
  ],
  [
    'undeclared references',
    svc('    networks: [front]\n    secrets: [pw]\n    configs: [c]\n    volumes: ["data:/d"]') +
      'networks:\n  back: {}\n',
    'SK_ERR_COMPOSE_REFERENCE',
    'stack.yml:4: services.web.networks.front: undefined network "front"; declared networks: back\n' +
      'stack.yml:7: services.web.volumes[0]: undefined volume "data"; no volumes are declared at top level (a bind mount source must start with /, . or ~)\n' +
      'stack.yml:6: services.web.configs[0]: undefined config "c"; no configs are declared at top level\n' +
      'stack.yml:5: services.web.secrets[0]: undefined secret "pw"; no secrets are declared at top level',
  ],
  [
    'interpolation errors',
    'services:\n  web:\n    image: "${IMG:?image is required}"\n    command: "echo $5"\n',
    'SK_ERR_COMPOSE_INTERPOLATION',
    'stack.yml:3: services.web.image: required variable IMG is missing a value: image is required\n' +
      'stack.yml:4: services.web.command: invalid interpolation format in "echo $5": a "$" must start a variable or be escaped as "$$"',
  ],
  [
    'unreadable env_file',
    svc('    env_file: missing.env'),
    'SK_ERR_FILE_UNREADABLE',
    'stack.yml:4: services.web.env_file: cannot read env file "missing.env": ENOENT: no such file or directory, open \'missing.env\'',
  ],
  [
    'YAML syntax',
    'services:\n  web:\n    image: a\n   bad: [\n',
    'SK_ERR_YAML_SYNTAX',
    'stack.yml:4: All mapping items must start at the same column',
  ],
  [
    'config with two sources',
    'services: {}\nconfigs:\n  c: {file: a, content: b}\n',
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:3: configs.c: exactly one of file, content or external: true is required',
  ],
  [
    'unterminated quote in a command string',
    svc('    command: echo "unterminated'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.command: cannot split command string: unterminated double quote',
  ],
  [
    'environment of the wrong type',
    svc('    environment: 5'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.environment: expected a list of "KEY=VALUE" strings or a mapping',
  ],
  [
    'aliases not a list',
    svc('    networks: {front: {aliases: x}}') + 'networks: {front: {}}\n',
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.networks.front.aliases: expected a list of strings',
  ],
  [
    'legacy restart value',
    svc('    restart: sometimes'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.restart: expected one of: no, always, on-failure[:max-retries], unless-stopped',
  ],
  [
    'ulimit without hard',
    svc('    ulimits: {nofile: {soft: 1}}'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.ulimits.nofile.hard: required key is missing',
  ],
  [
    'update_config enums',
    svc('    deploy: {update_config: {order: random, failure_action: explode}}'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.deploy.update_config.failure_action: expected one of: continue, pause, rollback\n' +
      'stack.yml:4: services.web.deploy.update_config.order: expected one of: stop-first, start-first',
  ],
  [
    'network definition problems',
    'services: {}\nnetworks:\n  n:\n    attachable: maybe\n    ipam: {config: [{subnett: x}]}\n',
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: networks.n.attachable: expected a boolean (true or false), got "maybe"\n' +
      'stack.yml:5: networks.n.ipam.config[0].subnett: unknown key "subnett"; supported keys: aux_addresses, gateway, ip_range, subnet',
  ],
  [
    'extra host without ip',
    svc('    extra_hosts: [nohost]'),
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:4: services.web.extra_hosts[0]: invalid extra host "nohost"; expected "host:ip"',
  ],
  [
    'merged keys report the line of the anchor',
    'x-base: &base\n  image: a\n  replicaz: 1\nservices:\n  web:\n    <<: *base\n',
    'SK_ERR_COMPOSE_INVALID',
    'stack.yml:3: services.web.replicaz: unknown key "replicaz"; supported keys: cap_add, cap_drop, command, configs, credential_spec, deploy, dns, dns_search, entrypoint, env_file, environment, extra_hosts, healthcheck, hostname, image, init, isolation, labels, logging, networks, oom_score_adj, ports, read_only, restart, secrets, stdin_open, stop_grace_period, stop_signal, sysctls, tty, ulimits, user, volumes, working_dir, x-swarmkeeper',
  ],
];

describe('loadCompose: errors', () => {
  it.each(cases)('%s', (_title, text, code, message) => {
    const err = loadError(text);
    expect(err.code).toBe(code);
    expect(err.message).toBe(message);
    expect(err.policy).toBe('terminal');
  });

  it('has at least 20 cases', () => expect(cases.length).toBeGreaterThanOrEqual(20));
});
