/**
 * What Docker and the Swarm manager would refuse, found offline with the rule quoted: the names of
 * the stack and its objects (swarmkit, moby volumes) and label keys (docker/cli opts.ValidateLabel).
 */
import { describe, expect, it } from 'vitest';
import { type DockerRuleCase, dockerRuleProblems as problems } from './docker-rules-helpers.js';

const cases: DockerRuleCase[] = [
  [
    'stack with a space',
    'my stack',
    'services:\n  web:\n    image: a\n\n',
    [
      's.yml:1: stack name "my stack" is refused by Swarm: "name must be valid as a DNS name component" (swarmkit validateAnnotations: ^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$, at most 63 characters); every object of the stack is named <stack>_<key>',
      's.yml:2: services.web: service name "my stack_web" is refused by Swarm: "name must be valid as a DNS name component" (swarmkit validateAnnotations: ^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$, at most 63 characters); the service is named <stack>_<service>',
    ],
  ],
  [
    'empty stack',
    '',
    'services:\n  web:\n    image: a\n\n',
    [
      's.yml:1: the stack name is empty; Swarm refuses it: "meta: name must be provided"; every object of the stack is named <stack>_<key>',
      's.yml:2: services.web: service name "_web" is refused by Swarm: "name must be valid as a DNS name component" (swarmkit validateAnnotations: ^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$, at most 63 characters); the service is named <stack>_<service>',
    ],
  ],
  [
    'stack 64 chars',
    'ssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss',
    'services:\n  web:\n    image: a\n\n',
    [
      's.yml:1: stack name "ssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss" has 64 characters; Swarm refuses it: "name must be 63 characters or fewer" (swarmkit validateAnnotations: ^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$, at most 63 characters); every object of the stack is named <stack>_<key>',
      's.yml:2: services.web: service name "ssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss_web" has 68 characters; Swarm refuses it: "name must be 63 characters or fewer" (swarmkit validateAnnotations: ^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$, at most 63 characters); the service is named <stack>_<service>',
    ],
  ],
  [
    'service name too long',
    'st',
    'services:\n  wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww:\n    image: a\n',
    [
      's.yml:2: services.wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww: service name "st_wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww" has 64 characters; Swarm refuses it: "name must be 63 characters or fewer" (swarmkit validateAnnotations: ^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$, at most 63 characters); the service is named <stack>_<service>',
    ],
  ],
  [
    'service name bad char',
    'st',
    'services:\n  web.1:\n    image: a\n',
    [
      's.yml:2: services.web.1: service name "st_web.1" is refused by Swarm: "name must be valid as a DNS name component" (swarmkit validateAnnotations: ^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$, at most 63 characters); the service is named <stack>_<service>',
    ],
  ],
  [
    'default network too long',
    'ssssssssssssssssssssssssssssssssssssssssssssssssssssssss',
    'services:\n  web:\n    image: a\n\n',
    [
      's.yml:1: network name "ssssssssssssssssssssssssssssssssssssssssssssssssssssssss_default" has 64 characters; Swarm refuses it: "name must be 63 characters or fewer" (swarmkit validateAnnotations: ^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$, at most 63 characters); the stack\'s default network is named <stack>_default',
    ],
  ],
  [
    'default network declared is fine',
    'ssssssssssssssssssssssssssssssssssssssssssssssssssssssss',
    'services:\n  web:\n    image: a\n\nnetworks:\n  default: {name: short}\n',
    [],
  ],
  [
    'default network not used',
    'ssssssssssssssssssssssssssssssssssssssssssssssssssssssss',
    'services:\n  web:\n    image: a\n    networks: [n]\nnetworks:\n  n: {name: short}\n',
    [],
  ],
  [
    'network key bad',
    'st',
    'services:\n  web:\n    image: a\n    networks: [n]\nnetworks:\n  n: {name: bad.name}\n',
    [
      's.yml:6: networks.n.name: network name "bad.name" is refused by Swarm: "name must be valid as a DNS name component" (swarmkit validateAnnotations: ^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$, at most 63 characters)',
    ],
  ],
  [
    'network key bad no name',
    'st',
    'services:\n  web:\n    image: a\n    networks: [n.x]\nnetworks:\n  n.x: {}\n',
    [
      's.yml:6: networks.n.x: network name "st_n.x" is refused by Swarm: "name must be valid as a DNS name component" (swarmkit validateAnnotations: ^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$, at most 63 characters)',
    ],
  ],
  [
    'external network skipped',
    'st',
    'services:\n  web:\n    image: a\n    networks: [n]\nnetworks:\n  n: {external: true, name: bad.name}\n',
    [],
  ],
  [
    'volume bad name',
    'st',
    "services:\n  web:\n    image: a\n\nvolumes:\n  v: {name: '-bad'}\n",
    [
      's.yml:6: volumes.v.name: volume name "-bad" is refused by Docker: "includes invalid characters for a local volume name" (moby local volume names: ^[a-zA-Z0-9][a-zA-Z0-9_.-]+$)',
    ],
  ],
  [
    'volume 1 char',
    'st',
    'services:\n  web:\n    image: a\n\nvolumes:\n  v: {name: a}\n',
    [
      's.yml:6: volumes.v.name: volume name "a" is refused by Docker: "includes invalid characters for a local volume name" (moby local volume names: ^[a-zA-Z0-9][a-zA-Z0-9_.-]+$)',
    ],
  ],
  [
    'volume key bad',
    'st',
    "services:\n  web:\n    image: a\n\nvolumes:\n  'v!': {}\n",
    [
      's.yml:6: volumes.v!: volume name "st_v!" is refused by Docker: "includes invalid characters for a local volume name" (moby local volume names: ^[a-zA-Z0-9][a-zA-Z0-9_.-]+$)',
    ],
  ],
  [
    'volume other driver skipped',
    'st',
    "services:\n  web:\n    image: a\n\nvolumes:\n  v: {name: '-bad', driver: nfs}\n",
    [],
  ],
  [
    'volume local driver checked',
    'st',
    "services:\n  web:\n    image: a\n\nvolumes:\n  v: {name: '-bad', driver: local}\n",
    [
      's.yml:6: volumes.v.name: volume name "-bad" is refused by Docker: "includes invalid characters for a local volume name" (moby local volume names: ^[a-zA-Z0-9][a-zA-Z0-9_.-]+$)',
    ],
  ],
  [
    'volume external skipped',
    'st',
    "services:\n  web:\n    image: a\n\nvolumes:\n  v: {name: '-bad', external: true}\n",
    [],
  ],
  [
    'config bad name',
    'st',
    "services:\n  web:\n    image: a\n\nconfigs:\n  c: {content: x, name: 'bad!'}\n",
    [
      's.yml:6: configs.c.name: config name "bad!" (created as "bad!-<hash>", 15 characters) is refused by Swarm: swarmkit validateConfigOrSecretAnnotations: "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]"',
    ],
  ],
  [
    'config too long',
    'st',
    'services:\n  web:\n    image: a\n\nconfigs:\n  c: {content: x, name: cccccccccccccccccccccccccccccccccccccccccccccccccccccc}\n',
    [
      's.yml:6: configs.c.name: config name "cccccccccccccccccccccccccccccccccccccccccccccccccccccc" (created as "cccccccccccccccccccccccccccccccccccccccccccccccccccccc-<hash>", 65 characters) is refused by Swarm: swarmkit validateConfigOrSecretAnnotations: "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]"',
    ],
  ],
  [
    'config 53 ok',
    'st',
    'services:\n  web:\n    image: a\n\nconfigs:\n  c: {content: x, name: ccccccccccccccccccccccccccccccccccccccccccccccccccccc}\n',
    [],
  ],
  [
    'secret key bad',
    'st',
    "services:\n  web:\n    image: a\n\nsecrets:\n  's!': {content: x}\n",
    [
      's.yml:6: secrets.s!: secret name "st_s!" (created as "st_s!-<hash>", 16 characters) is refused by Swarm: swarmkit validateConfigOrSecretAnnotations: "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]"',
    ],
  ],
  [
    'secret external skipped',
    'st',
    "services:\n  web:\n    image: a\n\nsecrets:\n  s: {external: true, name: 'bad!'}\n",
    [],
  ],
  [
    'label empty key',
    'st',
    "services:\n  web:\n    image: a\n    labels: {'': x}\n",
    [
      's.yml:4: services.web.labels: label key "": "invalid label \'\': empty name" (docker/cli opts.ValidateLabel)',
    ],
  ],
  [
    'label space key',
    'st',
    "services:\n  web:\n    image: a\n    labels: {'a b': x}\n    deploy: {labels: {'c d': y}}\n",
    [
      's.yml:4: services.web.labels.a b: label key "a b": "label \'a b\' contains whitespaces" (docker/cli opts.ValidateLabel)',
      's.yml:5: services.web.deploy.labels.c d: label key "c d": "label \'c d\' contains whitespaces" (docker/cli opts.ValidateLabel)',
    ],
  ],
  [
    'label tab key network',
    'st',
    'services:\n  web:\n    image: a\n\nnetworks:\n  n: {labels: {"a\\tb": x}}\n',
    [
      's.yml:6: networks.n.labels.a\tb: label key "a\\tb": "label \'a\tb\' contains whitespaces" (docker/cli opts.ValidateLabel)',
    ],
  ],
  [
    'volume label',
    'st',
    "services:\n  web:\n    image: a\n\nvolumes:\n  v: {labels: {'a b': x}}\n",
    [
      's.yml:6: volumes.v.labels.a b: label key "a b": "label \'a b\' contains whitespaces" (docker/cli opts.ValidateLabel)',
    ],
  ],
  [
    'config label',
    'st',
    "services:\n  web:\n    image: a\n\nconfigs:\n  c: {content: x, labels: {'a b': x}}\n",
    [
      's.yml:6: configs.c.labels.a b: label key "a b": "label \'a b\' contains whitespaces" (docker/cli opts.ValidateLabel)',
    ],
  ],
  [
    'secret label',
    'st',
    "services:\n  web:\n    image: a\n\nsecrets:\n  s: {content: x, labels: {' ': x}}\n",
    [
      's.yml:6: secrets.s.labels: label key " ": "invalid label \' \': empty name" (docker/cli opts.ValidateLabel)',
    ],
  ],
];

describe('checkDockerRules: names and labels', () => {
  it.each(cases)('%s', (_title, stack, text, want) => expect(problems(stack, text)).toEqual(want));
});
