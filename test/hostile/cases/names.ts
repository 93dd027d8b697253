import type { HostileCase } from '../case.js';

const F = 'bad/docker-compose.yml';
const DNS =
  '"name must be valid as a DNS name component" (swarmkit validateAnnotations: ^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$, at most 63 characters)';
const CONFIG =
  'swarmkit validateConfigOrSecretAnnotations: "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]"';

function service(key: string): string {
  return `services:\n  ${JSON.stringify(key)}:\n    image: local/busybox:1\n`;
}

const badService = (name: string, key: string, shown = key): HostileCase => ({
  name,
  class: 'names',
  files: { 'docker-compose.yml': service(key) },
  expect: {
    code: 'SK_ERR_COMPOSE_INVALID',
    message: `${F}:2: services.${shown}: service name ${JSON.stringify(`bad_${key}`)} is refused by Swarm: ${DNS}; the service is named <stack>_<service>`,
  },
});

const LONG = 'a'.repeat(60);

export const cases: HostileCase[] = [
  badService('names-service-with-space', 'my app'),
  badService('names-service-dot-dot-slash', '../etc'),
  badService('names-service-with-dot', 'api.v2'),
  badService('names-service-trailing-dash', 'app-'),
  badService('names-service-non-ascii', 'café'),
  badService('names-service-with-slash', 'a/b'),
  {
    name: 'names-service-empty',
    class: 'names',
    files: { 'docker-compose.yml': 'services:\n  "":\n    image: local/busybox:1\n' },
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:2: services.: service name "bad_" is refused by Swarm: ${DNS}; the service is named <stack>_<service>`,
    },
  },
  {
    name: 'names-service-over-63-with-stack-prefix',
    class: 'names',
    files: { 'docker-compose.yml': service(LONG) },
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:2: services.${LONG}: service name "bad_${LONG}" has 64 characters; Swarm refuses it: "name must be 63 characters or fewer" (swarmkit validateAnnotations: ^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$, at most 63 characters); the service is named <stack>_<service>`,
    },
  },
  {
    name: 'names-service-59-fits',
    class: 'names',
    files: { 'docker-compose.yml': service('b'.repeat(59)) },
    expect: { ok: true },
  },
  {
    name: 'names-network-name-with-space',
    class: 'names',
    files: {
      'docker-compose.yml':
        'services:\n  app:\n    image: local/busybox:1\n    networks: [front]\nnetworks:\n  front:\n    name: "front net"\n',
    },
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:7: networks.front.name: network name "front net" is refused by Swarm: ${DNS}`,
    },
  },
  {
    name: 'names-network-key-too-long',
    class: 'names',
    files: {
      'docker-compose.yml': `services:\n  app:\n    image: local/busybox:1\n    networks: [${LONG}]\nnetworks:\n  ${LONG}: {}\n`,
    },
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:6: networks.${LONG}: network name "bad_${LONG}" has 64 characters; Swarm refuses it: "name must be 63 characters or fewer"`,
    },
  },
  {
    name: 'names-config-name-with-slash',
    class: 'names',
    files: {
      'docker-compose.yml':
        'services:\n  app:\n    image: local/busybox:1\n    configs: [c]\nconfigs:\n  c:\n    name: app/conf\n    content: x\n',
    },
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:7: configs.c.name: config name "app/conf" (created as "app/conf-<hash>", 19 characters) is refused by Swarm: ${CONFIG}`,
    },
  },
  {
    name: 'names-secret-too-long-with-hash',
    class: 'names',
    files: {
      'docker-compose.yml': `services:\n  app:\n    image: local/busybox:1\n    secrets: [${'s'.repeat(50)}]\nsecrets:\n  ${'s'.repeat(50)}:\n    content: x\n`,
    },
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:6: secrets.${'s'.repeat(50)}: secret name "bad_${'s'.repeat(50)}" (created as "bad_${'s'.repeat(50)}-<hash>", 65 characters) is refused by Swarm: ${CONFIG}`,
    },
  },
  {
    name: 'names-volume-name-leading-dash',
    class: 'names',
    files: {
      'docker-compose.yml':
        'services:\n  app:\n    image: local/busybox:1\n    volumes: ["data:/data"]\nvolumes:\n  data:\n    name: -data\n',
    },
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:7: volumes.data.name: volume name "-data" is refused by Docker: "includes invalid characters for a local volume name" (moby local volume names: ^[a-zA-Z0-9][a-zA-Z0-9_.-]+$)`,
    },
  },
  {
    name: 'names-label-key-with-space',
    class: 'names',
    files: {
      'docker-compose.yml':
        'services:\n  app:\n    image: local/busybox:1\n    labels:\n      "team name": a\n',
    },
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:5: services.app.labels.team name: label key "team name": "label 'team name' contains whitespaces" (docker/cli opts.ValidateLabel)`,
    },
  },
  {
    name: 'names-deploy-label-key-empty',
    class: 'names',
    files: {
      'docker-compose.yml':
        'services:\n  app:\n    image: local/busybox:1\n    deploy:\n      labels:\n        "": a\n',
    },
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:5: services.app.deploy.labels: label key "": "invalid label '': empty name" (docker/cli opts.ValidateLabel)`,
    },
  },
  {
    name: 'names-default-network-over-63',
    class: 'names',
    files: {
      'docker-compose.yml': `name: ${'n'.repeat(56)}\nservices:\n  app:\n    image: local/busybox:1\n`,
    },
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:1: network name "${'n'.repeat(56)}_default" has 64 characters; Swarm refuses it: "name must be 63 characters or fewer" (swarmkit validateAnnotations: ^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$, at most 63 characters); the stack's default network is named <stack>_default`,
    },
  },
  {
    name: 'names-stack-name-with-dot',
    class: 'names',
    files: { 'docker-compose.yml': 'name: web.v2\nservices:\n  app:\n    image: local/busybox:1\n' },
    expect: {
      code: 'SK_ERR_RESOURCE_INVALID',
      message: `${F}: SwarmStack/web.v2: spec.stackName: must start and end with a letter or digit and contain only letters, digits, "-" and "_"`,
    },
  },
];
