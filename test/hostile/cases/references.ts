import type { HostileCase } from '../case.js';

const F = 'bad/docker-compose.yml';
const RULE =
  'the distribution reference grammar: [registry[:port]/]path[:tag][@digest], path components of [a-z0-9] joined by ".", "_", "__" or "-", a tag of at most 128 [A-Za-z0-9_.-] characters';

const image = (name: string, value: string, why = 'invalid reference format'): HostileCase => ({
  name,
  class: 'references',
  files: { 'docker-compose.yml': `services:\n  app:\n    image: ${JSON.stringify(value)}\n` },
  expect: {
    code: 'SK_ERR_COMPOSE_INVALID',
    message: `${F}:3: services.app.image: ${JSON.stringify(value)} is refused by Swarm: "ContainerSpec: ${JSON.stringify(value)} is not a valid repository/tag" (${why}; ${RULE})`,
  },
});

const svc = (body: string) => `services:\n  app:\n    image: local/busybox:1\n${body}`;

export const cases: HostileCase[] = [
  {
    name: 'ref-image-empty',
    class: 'references',
    files: { 'docker-compose.yml': 'services:\n  app:\n    image: ""\n' },
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:3: services.app.image: the image is empty; Swarm refuses it: "ContainerSpec: image reference must be provided" (swarmkit validateImage)`,
    },
  },
  image(
    'ref-image-uppercase-path',
    'Local/BusyBox:1',
    'invalid reference format: repository name must be lowercase',
  ),
  image('ref-image-two-tags', 'local/busybox:1:2'),
  image('ref-image-empty-path-component', 'local//busybox:1'),
  image('ref-image-tag-starts-with-dash', 'local/busybox:-1'),
  image('ref-image-short-digest', 'local/busybox@sha256:abc'),
  image('ref-image-trailing-space', 'local/busybox:1 '),
  image('ref-image-tag-too-long', `local/busybox:${'t'.repeat(129)}`),
  {
    name: 'ref-image-name-over-255',
    class: 'references',
    files: { 'docker-compose.yml': `services:\n  app:\n    image: ${'a'.repeat(256)}:1\n` },
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:3: services.app.image: the image name has 256 characters; Docker refuses it: "repository name must not be more than 255 characters"`,
    },
  },
  {
    name: 'ref-image-registry-port-and-digest-ok',
    class: 'references',
    files: {
      'docker-compose.yml': `services:\n  app:\n    image: Registry.Example.com:5000/team/app:1.0@sha256:${'a'.repeat(64)}\n`,
    },
    expect: { ok: true },
  },
  {
    name: 'ref-duplicate-mount-point',
    class: 'references',
    files: { 'docker-compose.yml': svc('    volumes:\n      - /srv/a:/data\n      - /srv/b:/data\n') },
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:6: services.app.volumes[1]: Swarm refuses it: "ContainerSpec: duplicate mount point: /data" (swarmkit validateMounts)`,
    },
  },
  {
    name: 'ref-duplicate-published-port',
    class: 'references',
    files: { 'docker-compose.yml': svc('    ports:\n      - "8080:80"\n      - "8080:81"\n') },
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:6: services.app.ports[1]: port 8080/tcp is published twice; Swarm refuses it: "EndpointSpec: duplicate published ports provided" (swarmkit validateEndpointSpec)`,
    },
  },
  {
    name: 'ref-dnsrr-with-ingress-port',
    class: 'references',
    files: {
      'docker-compose.yml': svc('    ports:\n      - "8080:80"\n    deploy:\n      endpoint_mode: dnsrr\n'),
    },
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:5: services.app.ports[0]: Swarm refuses it: "EndpointSpec: port published with ingress mode can't be used with dnsrr mode" (swarmkit validateEndpointSpec; use mode: host)`,
    },
  },
  {
    name: 'ref-secret-targets-conflict',
    class: 'references',
    files: {
      'docker-compose.yml': `${svc('    secrets:\n      - source: a\n        target: key\n      - source: b\n        target: key\n')}secrets:\n  a:\n    content: one\n  b:\n    content: two\n`,
    },
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:7: services.app.secrets[1]: Swarm refuses it: "secret references 'a' and 'b' have a conflicting target: 'key'" (swarmkit validateSecretRefsSpec)`,
    },
  },
];
