import type { HostileCase } from '../case.js';
import { stack } from '../compose-text.js';

const C = 'docker-compose.yml';
const LOST = 'the key "__proto__" is not supported (it would be lost); rename it';
const svc = (name: string, extra = ''): string =>
  `services:\n  ${name}:\n    image: local/busybox:1\n    command: [sh, -c, 'exec sleep 100000']\n    deploy: { endpoint_mode: dnsrr }\n${extra}`;

/** Keys that are special in JavaScript objects are never silently dropped or taken from a prototype. */
export const cases: HostileCase[] = [
  {
    name: 'proto-service-name',
    class: 'proto-names',
    files: { [C]: svc('__proto__') },
    expect: { code: 'SK_ERR_COMPOSE_INVALID', message: `bad/${C}:2: services.__proto__: ${LOST}` },
  },
  {
    name: 'proto-network-name',
    class: 'proto-names',
    files: { [C]: stack('', 'networks:\n  __proto__: {}\n') },
    expect: { code: 'SK_ERR_COMPOSE_INVALID', message: `bad/${C}:9: networks.__proto__: ${LOST}` },
  },
  {
    name: 'proto-environment-key',
    class: 'proto-names',
    files: { [C]: stack('    environment:\n      __proto__: x\n') },
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `bad/${C}:9: services.app.environment.__proto__: ${LOST}`,
    },
  },
  {
    name: 'proto-label-key',
    class: 'proto-names',
    files: { [C]: stack('    labels: { __proto__: { polluted: "yes" } }\n') },
    expect: { code: 'SK_ERR_COMPOSE_INVALID', message: `bad/${C}:8: services.app.labels.__proto__: ${LOST}` },
  },
  {
    name: 'proto-top-level-key',
    class: 'proto-names',
    files: { [C]: `__proto__: { services: {} }\n${stack()}` },
    expect: { code: 'SK_ERR_COMPOSE_INVALID', message: `bad/${C}:1: __proto__: ${LOST}` },
  },
  {
    name: 'proto-in-extension',
    class: 'proto-names',
    files: { [C]: `x-meta: { __proto__: 1 }\n${stack()}` },
    expect: { code: 'SK_ERR_COMPOSE_INVALID', message: `bad/${C}:1: x-meta.__proto__: ${LOST}` },
  },
  {
    name: 'proto-in-custom-resource',
    class: 'proto-names',
    files: {
      'net.yml':
        'apiVersion: swarmkeeper.io/v1alpha1\nkind: SwarmNetwork\nmetadata: { name: n }\nspec: { __proto__: { driver: host } }\n',
    },
    expect: { code: 'SK_ERR_COMPOSE_INVALID', message: `bad/net.yml:4: spec.__proto__: ${LOST}` },
  },
  {
    name: 'proto-stack-name',
    class: 'proto-names',
    files: { [C]: `name: __proto__\n${stack()}` },
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `bad/${C}: stack name "__proto__" (from top-level name) is not a valid Docker name`,
    },
  },
  {
    name: 'proto-undeclared-network-constructor',
    class: 'proto-names',
    files: { [C]: stack('    networks: [constructor]\n') },
    expect: { code: 'SK_ERR_COMPOSE_REFERENCE', message: 'services.app.networks' },
  },
  {
    name: 'proto-undeclared-config-tostring',
    class: 'proto-names',
    files: { [C]: stack('    configs: [toString]\n') },
    expect: { code: 'SK_ERR_COMPOSE_REFERENCE', message: 'services.app.configs' },
  },
  {
    name: 'proto-undeclared-secret-hasownproperty',
    class: 'proto-names',
    files: { [C]: stack('    secrets: [hasOwnProperty]\n') },
    expect: { code: 'SK_ERR_COMPOSE_REFERENCE', message: 'services.app.secrets' },
  },
  {
    name: 'proto-undeclared-volume-valueof',
    class: 'proto-names',
    files: { [C]: stack('    volumes: ["valueOf:/data"]\n') },
    expect: { code: 'SK_ERR_COMPOSE_REFERENCE', message: 'services.app.volumes' },
  },
  {
    name: 'proto-service-constructor-ok',
    class: 'proto-names',
    files: { [C]: svc('constructor') },
    expect: { ok: true },
  },
  {
    name: 'proto-service-hasownproperty-ok',
    class: 'proto-names',
    files: { [C]: svc('hasOwnProperty') },
    expect: { ok: true },
  },
  {
    name: 'proto-service-prototype-ok',
    class: 'proto-names',
    files: { [C]: svc('prototype', 'networks:\n  toString: {}\n') },
    expect: { ok: true },
  },
];
