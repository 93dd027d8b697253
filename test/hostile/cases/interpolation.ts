import type { HostileCase } from '../case.js';

const F = 'bad/docker-compose.yml';
const SECRET = 'hunter2-webhook-secret-value';
/** The CLI runners read the user's shell (docker's behaviour): these cases are about the controller. */
const CONTROLLER_ONLY: HostileCase['skip'] = ['validate', 'plan', 'apply'];

export const cases: HostileCase[] = [
  {
    name: 'interp-controller-secret-not-in-environment',
    class: 'interpolation',
    files: {
      'docker-compose.yml':
        'services:\n  app:\n    image: local/busybox:1\n    environment:\n      - W=${SWARMKEEPER_WEBHOOK_SECRET}\n',
    },
    env: { SWARMKEEPER_WEBHOOK_SECRET: SECRET },
    skip: CONTROLLER_ONLY,
    expect: {
      ok: true,
      warnings: [
        `${F}:5: services.app.environment[0]: variable SWARMKEEPER_WEBHOOK_SECRET is not set; substituting an empty string (as docker does)`,
      ],
    },
  },
  {
    name: 'interp-controller-secret-not-in-label',
    class: 'interpolation',
    files: {
      'docker-compose.yml':
        'services:\n  app:\n    image: local/busybox:1\n    labels:\n      leak: "${REDIS_URL}"\n',
    },
    env: { REDIS_URL: 'redis://:pa55word@10.0.0.9:6379' },
    skip: CONTROLLER_ONLY,
    expect: {
      ok: true,
      warnings: [
        `${F}:5: services.app.labels.leak: variable REDIS_URL is not set; substituting an empty string (as docker does)`,
      ],
    },
  },
  {
    name: 'interp-controller-secret-not-in-image',
    class: 'interpolation',
    files: { 'docker-compose.yml': 'services:\n  app:\n    image: "local/busybox:1${GIT_TOKEN}"\n' },
    env: { GIT_TOKEN: 'ghp_abcdefabcdef' },
    skip: CONTROLLER_ONLY,
    expect: {
      ok: true,
      warnings: [
        `${F}:3: services.app.image: variable GIT_TOKEN is not set; substituting an empty string (as docker does)`,
      ],
    },
  },
  {
    name: 'interp-controller-secret-required-is-missing',
    class: 'interpolation',
    files: {
      'docker-compose.yml':
        'services:\n  app:\n    image: local/busybox:1\n    environment:\n      W: ${SWARMKEEPER_WEBHOOK_SECRET:?needed}\n',
    },
    env: { SWARMKEEPER_WEBHOOK_SECRET: SECRET },
    skip: CONTROLLER_ONLY,
    expect: {
      code: 'SK_ERR_COMPOSE_INTERPOLATION',
      message: `${F}:5: services.app.environment.W: required variable SWARMKEEPER_WEBHOOK_SECRET is missing a value: needed`,
    },
  },
  {
    name: 'interp-controller-secret-not-a-secret-source',
    class: 'interpolation',
    files: {
      'docker-compose.yml':
        'services:\n  app:\n    image: local/busybox:1\n    secrets: [w]\nsecrets:\n  w:\n    environment: SWARMKEEPER_WEBHOOK_SECRET\n',
    },
    env: { SWARMKEEPER_WEBHOOK_SECRET: SECRET },
    skip: CONTROLLER_ONLY,
    expect: {
      code: 'SK_ERR_COMPOSE_INTERPOLATION',
      message: `${F}:7: secrets.w.environment: variable SWARMKEEPER_WEBHOOK_SECRET is not set`,
    },
  },
  {
    name: 'interp-controller-secret-not-by-bare-environment-name',
    class: 'interpolation',
    files: {
      'docker-compose.yml':
        'services:\n  app:\n    image: local/busybox:1\n    environment:\n      - SWARMKEEPER_WEBHOOK_SECRET\n',
    },
    env: { SWARMKEEPER_WEBHOOK_SECRET: SECRET },
    skip: CONTROLLER_ONLY,
    expect: { ok: true },
  },
  {
    name: 'interp-controller-secret-not-by-env-file-bare-name',
    class: 'interpolation',
    files: {
      'docker-compose.yml': 'services:\n  app:\n    image: local/busybox:1\n    env_file: app.env\n',
      'app.env': 'SWARMKEEPER_WEBHOOK_SECRET\nA=1\n',
    },
    env: { SWARMKEEPER_WEBHOOK_SECRET: SECRET },
    skip: CONTROLLER_ONLY,
    expect: { ok: true },
  },
  {
    name: 'interp-allowed-by-name',
    class: 'interpolation',
    files: { 'docker-compose.yml': 'services:\n  app:\n    image: local/busybox:${APP_TAG}\n' },
    env: { APP_TAG: '1' },
    allowEnv: ['APP_TAG'],
    expect: { ok: true },
  },
  {
    name: 'interp-allowed-by-prefix-only',
    class: 'interpolation',
    files: {
      'docker-compose.yml':
        'services:\n  app:\n    image: local/busybox:${APP_TAG}\n    environment:\n      O: ${OTHER_VALUE}\n',
    },
    env: { APP_TAG: '1', OTHER_VALUE: 'not-for-stacks' },
    allowEnv: ['APP_*'],
    skip: CONTROLLER_ONLY,
    expect: {
      ok: true,
      warnings: [
        `${F}:5: services.app.environment.O: variable OTHER_VALUE is not set; substituting an empty string (as docker does)`,
      ],
    },
  },
  {
    name: 'interp-dotenv-beside-compose-file',
    class: 'interpolation',
    files: {
      'docker-compose.yml': 'services:\n  app:\n    image: local/busybox:${TAG}\n',
      '.env': '# the project .env\nTAG=1\n',
    },
    expect: { ok: true },
  },
  {
    name: 'interp-dotenv-bad-line',
    class: 'interpolation',
    files: {
      'docker-compose.yml': 'services:\n  app:\n    image: local/busybox:${TAG}\n',
      '.env': 'TAG=1\nBAD NAME=2\n',
    },
    expect: {
      code: 'SK_ERR_COMPOSE_INTERPOLATION',
      message: 'bad/.env: line 2: variable "BAD NAME" contains whitespace',
    },
  },
  {
    name: 'interp-unset-is-empty-with-warning',
    class: 'interpolation',
    files: {
      'docker-compose.yml':
        'services:\n  app:\n    image: local/busybox:1\n    command: ["echo", "${SK_HOSTILE_NEVER_SET}"]\n',
    },
    expect: {
      ok: true,
      warnings: [
        `${F}:4: services.app.command[1]: variable SK_HOSTILE_NEVER_SET is not set; substituting an empty string (as docker does)`,
      ],
    },
  },
  {
    name: 'interp-required-with-message',
    class: 'interpolation',
    files: {
      'docker-compose.yml':
        'services:\n  app:\n    image: local/busybox:1\n    environment:\n      DB: ${SK_HOSTILE_DB_URL:?set SK_HOSTILE_DB_URL in spec.env}\n',
    },
    expect: {
      code: 'SK_ERR_COMPOSE_INTERPOLATION',
      message: `${F}:5: services.app.environment.DB: required variable SK_HOSTILE_DB_URL is missing a value: set SK_HOSTILE_DB_URL in spec.env`,
    },
  },
  {
    name: 'interp-unterminated-brace',
    class: 'interpolation',
    files: { 'docker-compose.yml': 'services:\n  app:\n    image: "local/busybox:${TAG"\n' },
    expect: {
      code: 'SK_ERR_COMPOSE_INTERPOLATION',
      message: `${F}:3: services.app.image: invalid interpolation format in "local/busybox:\${TAG": a "$" must start a variable or be escaped as "$$"`,
    },
  },
  {
    name: 'interp-lone-dollar',
    class: 'interpolation',
    files: {
      'docker-compose.yml': 'services:\n  app:\n    image: local/busybox:1\n    command: echo costs $ 5\n',
    },
    expect: {
      code: 'SK_ERR_COMPOSE_INTERPOLATION',
      message: `${F}:4: services.app.command: invalid interpolation format in "echo costs $ 5": a "$" must start a variable or be escaped as "$$"`,
    },
  },
  {
    name: 'interp-nul-byte-in-value',
    class: 'interpolation',
    files: {
      'docker-compose.yml':
        'services:\n  app:\n    image: local/busybox:1\n    environment:\n      A: "x\\0y"\n',
    },
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:5: services.app.environment.A: contains a NUL byte; Docker cannot pass it on (Linux takes arguments, environment and paths as C strings: Go's syscall.ByteSliceFromString fails with "invalid argument")`,
    },
  },
  {
    name: 'interp-nul-byte-in-key',
    class: 'interpolation',
    files: {
      'docker-compose.yml': 'services:\n  app:\n    image: local/busybox:1\n    labels:\n      "a\\0b": x\n',
    },
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:4: services.app.labels: the key "a\\u0000b" contains a NUL byte`,
    },
  },
];
