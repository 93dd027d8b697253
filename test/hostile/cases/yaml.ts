import type { HostileCase } from '../case.js';
import { stack } from '../compose-text.js';

const C = 'docker-compose.yml';

function laughs(levels: number, width: number): string {
  let out = 'x-l0: &l0 "lol"\n';
  for (let i = 1; i <= levels; i++)
    out += `x-l${i}: &l${i} [${Array.from({ length: width }, () => `*l${i - 1}`).join(', ')}]\n`;
  return out;
}

const flowDeep = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;
const blockDeep = (n: number): string =>
  Array.from({ length: n }, (_, i) => `${'  '.repeat(i + 1)}k${i}:`).join('\n') + ' end\n';

/** Aliases, merge keys, depth and bombs: each bad document is a precise error naming its file and line. */
export const cases: HostileCase[] = [
  {
    name: 'yaml-undefined-alias',
    class: 'yaml',
    files: { [C]: stack('    hostname: *nope\n') },
    expect: {
      code: 'SK_ERR_YAML_SYNTAX',
      message: `bad/${C}:8: services.app.hostname: undefined alias "*nope" (no anchor &nope before it)`,
    },
  },
  {
    name: 'yaml-undefined-alias-other-file',
    class: 'yaml',
    files: { 'net.yml': 'apiVersion: swarmkeeper.io/v1alpha1\nkind: SwarmNetwork\nmetadata: *meta\n' },
    expect: { code: 'SK_ERR_YAML_SYNTAX', message: 'bad/net.yml:3: metadata: undefined alias "*meta"' },
  },
  {
    name: 'yaml-alias-before-anchor',
    class: 'yaml',
    files: { [C]: stack('    hostname: *h\n', 'x-h: &h app\n') },
    expect: {
      code: 'SK_ERR_YAML_SYNTAX',
      message: `bad/${C}:8: services.app.hostname: undefined alias "*h"`,
    },
  },
  {
    name: 'yaml-merge-scalar',
    class: 'yaml',
    files: { [C]: `x-s: &s "scalar"\n${stack('    <<: *s\n')}` },
    expect: {
      code: 'SK_ERR_YAML_SYNTAX',
      message: `bad/${C}:9: services.app.<<: a merge key (<<) takes a mapping, an alias of one, or a list of them`,
    },
  },
  {
    name: 'yaml-merge-list-of-scalars',
    class: 'yaml',
    files: { [C]: stack('    <<: [1, 2]\n') },
    expect: {
      code: 'SK_ERR_YAML_SYNTAX',
      message: `bad/${C}:8: services.app.<<: a merge key (<<) takes a mapping`,
    },
  },
  {
    name: 'yaml-merge-sequence-alias',
    class: 'yaml',
    files: { [C]: `x-l: &l [a, b]\n${stack('    <<: *l\n')}` },
    expect: {
      code: 'SK_ERR_YAML_SYNTAX',
      message: `bad/${C}:9: services.app.<<: a merge key (<<) takes a mapping`,
    },
  },
  {
    name: 'yaml-merge-undefined-alias',
    class: 'yaml',
    files: { [C]: stack('    <<: *defaults\n') },
    expect: {
      code: 'SK_ERR_YAML_SYNTAX',
      message: `bad/${C}:8: services.app.<<: undefined alias "*defaults"`,
    },
  },
  {
    name: 'yaml-merge-self',
    class: 'yaml',
    files: { [C]: `x-a: &a {k: v, <<: *a}\n${stack()}` },
    expect: {
      code: 'SK_ERR_YAML_SYNTAX',
      message: `bad/${C}:1: x-a.<<: alias "*a" refers to a node that contains it`,
    },
  },
  {
    name: 'yaml-recursive-alias',
    class: 'yaml',
    files: { [C]: `x-a: &a [1, *a]\n${stack()}` },
    expect: {
      code: 'SK_ERR_YAML_SYNTAX',
      message: `bad/${C}:1: x-a[1]: alias "*a" refers to a node that contains it`,
    },
  },
  {
    name: 'yaml-billion-laughs',
    class: 'yaml',
    files: { [C]: laughs(9, 10) + stack() },
    expect: {
      code: 'SK_ERR_YAML_LIMIT',
      message:
        /^bad\/docker-compose\.yml:\d+: more than 250000 nodes once aliases are expanded \(an alias bomb\?\)$/,
    },
  },
  {
    name: 'yaml-billion-laughs-other-file',
    class: 'yaml',
    files: { 'bomb.yaml': laughs(12, 9) },
    expect: {
      code: 'SK_ERR_YAML_LIMIT',
      message: /^bad\/bomb\.yaml:\d+: more than 250000 nodes once aliases/,
    },
  },
  {
    name: 'yaml-quadratic-blowup',
    class: 'yaml',
    files: {
      [C]: `x-big: &big [${Array.from({ length: 1000 }, (_, i) => i).join(',')}]\nx-use: [${Array.from({ length: 400 }, () => '*big').join(',')}]\n${stack()}`,
    },
    expect: { code: 'SK_ERR_YAML_LIMIT', message: /^bad\/docker-compose\.yml:2: more than 250000 nodes/ },
  },
  {
    name: 'yaml-deep-flow-3000',
    class: 'yaml',
    files: { [C]: `${stack()}x-deep: ${flowDeep(3000)}\n` },
    expect: { code: 'SK_ERR_YAML_LIMIT', message: `bad/${C}:8: nested more than 100 levels deep` },
  },
  {
    name: 'yaml-deep-block-1200',
    class: 'yaml',
    files: { [C]: `${stack()}x-deep:\n${blockDeep(1200)}` },
    expect: {
      code: 'SK_ERR_YAML_LIMIT',
      message: /^bad\/docker-compose\.yml:\d+: nested more than 100 levels deep$/,
    },
  },
  {
    name: 'yaml-deep-flow-101',
    class: 'yaml',
    files: { [C]: `${stack()}x-deep: ${flowDeep(100)}\n` },
    expect: { code: 'SK_ERR_YAML_LIMIT', message: `bad/${C}:8: nested more than 100 levels deep` },
  },
  {
    name: 'yaml-deep-through-aliases',
    class: 'yaml',
    files: {
      [C]: `x-a: &a ${flowDeep(40)}\nx-b: &b [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[*a]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\nx-c: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[*b]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n${stack()}`,
    },
    expect: {
      code: 'SK_ERR_YAML_LIMIT',
      message: /^bad\/docker-compose\.yml:\d: nested more than 100 levels deep once aliases are expanded$/,
    },
  },
  {
    name: 'yaml-duplicate-key',
    class: 'yaml',
    files: { [C]: stack('    image: local/busybox:1\n') },
    expect: { code: 'SK_ERR_YAML_SYNTAX', message: `bad/${C}:8: invalid YAML: Map keys must be unique` },
  },
  {
    name: 'yaml-tab-indentation',
    class: 'yaml',
    files: { [C]: 'services:\n\tapp:\n\t\timage: x\n' },
    expect: {
      code: 'SK_ERR_YAML_SYNTAX',
      message: `bad/${C}:2: invalid YAML: Tabs are not allowed as indentation`,
    },
  },
  {
    name: 'yaml-unclosed-flow',
    class: 'yaml',
    files: { [C]: stack('    command: [sh, -c\n') },
    expect: { code: 'SK_ERR_YAML_SYNTAX', message: /^bad\/docker-compose\.yml:\d+: invalid YAML: / },
  },
  {
    name: 'yaml-scalar-document',
    class: 'yaml',
    files: { [C]: 'just a string\n' },
    expect: { code: 'SK_ERR_RESOURCE_INVALID', message: `bad/${C}:1: expected a mapping at the top level` },
  },
  {
    name: 'yaml-nested-environment-value',
    class: 'yaml',
    files: { [C]: stack('    environment:\n      A:\n        b: 1\n') },
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `bad/${C}:9: services.app.environment.A: expected a string, a number, a boolean or null, got a mapping`,
    },
  },
  {
    name: 'yaml-nested-label-value',
    class: 'yaml',
    files: { [C]: stack('    labels: { a: [1, 2] }\n') },
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `bad/${C}:8: services.app.labels.a: expected a string, a number, a boolean or null, got a list`,
    },
  },
  {
    name: 'yaml-merge-ok',
    class: 'yaml',
    files: {
      [C]: `x-common: &common\n  image: local/busybox:1\n  stop_grace_period: 1s\nservices:\n  app:\n    <<: *common\n    command: [sh, -c, 'exec sleep 100000']\n    deploy: { endpoint_mode: dnsrr }\n`,
    },
    expect: { ok: true },
  },
  {
    name: 'yaml-many-small-aliases-ok',
    class: 'yaml',
    files: {
      [C]: `x-e: &e { A: "1" }\n${stack(`    environment: *e\n    labels: *e\n`)}x-many: [${Array.from({ length: 500 }, () => '*e').join(', ')}]\n`,
    },
    expect: { ok: true },
  },
];
