import { z } from 'zod';
import { deploy } from './schema-deploy.js';
import { rangeProblem } from '../units/semver.js';
import { parseShortPort, type ComposePort } from './ports.js';
import {
  expected,
  oneOf,
  bool,
  bytes,
  command,
  duration,
  int,
  listOrDict,
  optionsMap,
  strict,
  stringList,
  stringMap,
  stringOrList,
  text,
  uint,
} from './schema-common.js';
import { parseShortVolume, PROPAGATIONS, type ComposeServiceVolume } from './volumes.js';

const longPort = strict({
  target: uint,
  published: uint.optional(),
  protocol: oneOf(['tcp', 'udp', 'sctp']).optional(),
  mode: oneOf(['ingress', 'host']).optional(),
}).transform((p): ComposePort[] => [
  {
    target: p.target,
    ...(p.published === undefined ? {} : { published: p.published }),
    protocol: p.protocol ?? 'tcp',
    mode: p.mode ?? 'ingress',
  },
]);

const shortPort = z.union([z.string(), z.number()]).transform((v, ctx): ComposePort[] => {
  try {
    return parseShortPort(String(v));
  } catch (e) {
    ctx.issues.push({ code: 'custom', message: (e as Error).message, input: v });
    return z.NEVER;
  }
});

const ports = z
  .array(
    z.union([shortPort, longPort], {
      error: expected(
        'expected a port string such as "8080:80" or a mapping {target, published, protocol, mode}',
      ),
    }),
  )
  .transform((list) => list.flat());

const longVolume = strict({
  type: oneOf(['volume', 'bind', 'tmpfs']),
  source: text.optional(),
  target: text,
  read_only: bool.optional(),
  consistency: text.optional(),
  bind: strict({ propagation: oneOf(PROPAGATIONS).optional() }).optional(),
  volume: strict({ nocopy: bool.optional() }).optional(),
  tmpfs: strict({ size: bytes.optional() }).optional(),
}).superRefine((v, ctx) => {
  const bad = (['bind', 'volume', 'tmpfs'] as const).filter((k) => v[k] !== undefined && k !== v.type);
  for (const k of bad)
    ctx.addIssue({ code: 'custom', path: [k], message: `${k} options are incompatible with type ${v.type}` });
  if (v.type === 'bind' && !v.source)
    ctx.addIssue({ code: 'custom', path: ['source'], message: 'a bind mount needs a source' });
  if (v.type === 'tmpfs' && v.source)
    ctx.addIssue({ code: 'custom', path: ['source'], message: 'a tmpfs mount takes no source' });
});

const shortVolume = z.string().transform((v, ctx): ComposeServiceVolume => {
  try {
    return parseShortVolume(v);
  } catch (e) {
    ctx.issues.push({ code: 'custom', message: (e as Error).message, input: v });
    return z.NEVER;
  }
});

const volumes = z.array(
  z.union([shortVolume, longVolume], {
    error: expected('expected "source:target[:mode]" or a mapping {type, source, target, ...}'),
  }),
);

const fileRef = z
  .union(
    [
      z.string(),
      strict({
        source: text,
        target: text.optional(),
        uid: text.optional(),
        gid: text.optional(),
        mode: uint.optional(),
      }),
    ],
    { error: expected('expected a name or a mapping {source, target, uid, gid, mode}') },
  )
  .transform((v) => (typeof v === 'string' ? { source: v } : v));

const serviceNetwork = z.union(
  [
    z.null(),
    strict({
      aliases: stringList.optional(),
      driver_opts: optionsMap.optional(),
      // Allowed by docker's schema and dropped by its converter (swarm assigns addresses).
      ipv4_address: text.optional(),
      ipv6_address: text.optional(),
    }),
  ],
  { error: expected('expected null or a mapping {aliases, driver_opts, ipv4_address, ipv6_address}') },
);

type ServiceNetwork = NonNullable<z.output<typeof serviceNetwork>>;

const networks = z
  .union([z.array(text), z.record(z.string(), serviceNetwork)], {
    error: expected('expected a list of network names or a mapping of network names to {aliases}'),
  })
  .transform((v): Record<string, ServiceNetwork | null> =>
    Array.isArray(v) ? Object.fromEntries(v.map((n) => [n, null])) : v,
  );

const healthcheck = strict({
  test: z
    .union([z.string(), stringList], { error: expected('expected a string or a list of strings') })
    .transform((t) => (typeof t === 'string' ? ['CMD-SHELL', t] : t))
    .optional(),
  interval: duration.optional(),
  timeout: duration.optional(),
  retries: uint.optional(),
  start_period: duration.optional(),
  start_interval: duration.optional(),
  disable: bool.optional(),
}).superRefine((h, ctx) => {
  if (h.disable && h.test && h.test.length > 0)
    ctx.addIssue({
      code: 'custom',
      path: ['disable'],
      message: "test and disable can't be set at the same time",
    });
});

const ulimits = z.record(
  z.string(),
  z
    .union([int, strict({ soft: int, hard: int })], {
      error: expected('expected an integer or a mapping {soft, hard}'),
    })
    .transform((u) => (typeof u === 'number' ? { soft: u, hard: u } : u)),
);

/** `host:ip` entries; a mapping becomes sorted `host:ip` strings, like docker/cli's loader. */
const extraHosts = z
  .union([z.array(text), z.record(z.string(), text)], {
    error: expected('expected a list of "host:ip" strings or a mapping'),
  })
  .transform((v) =>
    Array.isArray(v)
      ? v
      : Object.entries(v)
          .map(([h, ip]) => `${h}:${ip}`)
          .sort(),
  )
  .superRefine((list, ctx) => {
    list.forEach((h, i) => {
      if (!h.includes(':'))
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `invalid extra host ${JSON.stringify(h)}; expected "host:ip"`,
        });
    });
  });

export const serviceSchema = strict({
  image: text,
  command: command.optional(),
  entrypoint: command.optional(),
  environment: listOrDict(true).optional(),
  env_file: stringOrList.optional(),
  labels: stringMap.optional(),
  ports: ports.optional(),
  networks: networks.optional(),
  volumes: volumes.optional(),
  configs: z.array(fileRef).optional(),
  secrets: z.array(fileRef).optional(),
  healthcheck: healthcheck.optional(),
  user: text.optional(),
  working_dir: text.optional(),
  hostname: text.optional(),
  stop_grace_period: duration.optional(),
  stop_signal: text.optional(),
  init: bool.optional(),
  tty: bool.optional(),
  stdin_open: bool.optional(),
  cap_add: stringList.optional(),
  cap_drop: stringList.optional(),
  sysctls: stringMap.optional(),
  ulimits: ulimits.optional(),
  extra_hosts: extraHosts.optional(),
  dns: stringOrList.optional(),
  dns_search: stringOrList.optional(),
  logging: strict({ driver: text.optional(), options: optionsMap.optional() }).optional(),
  read_only: bool.optional(),
  isolation: text.optional(),
  oom_score_adj: int.optional(),
  credential_spec: strict({
    config: text.optional(),
    file: text.optional(),
    registry: text.optional(),
  }).optional(),
  restart: z
    .string({ error: expected('expected one of: no, always, on-failure[:max-retries], unless-stopped') })
    .regex(/^(no|always|unless-stopped|on-failure(:\d+)?)$/, {
      message: 'expected one of: no, always, on-failure[:max-retries], unless-stopped',
    })
    .optional(),
  deploy: deploy.optional(),
  /** swarmkeeper's own extension (docker ignores `x-*` keys): a deploy hook (hooks.ts). */
  'x-swarmkeeper': strict({
    hook: oneOf(['pre-deploy', 'post-deploy']).optional(),
    /** An image update policy (plan/image-update.ts). */
    'image-update': z
      .union(
        [
          z.enum(['digest', 'off'], { error: expected('expected digest, off or {semver: "<range>"}') }),
          strict({
            semver: z.string().superRefine((r, ctx) => {
              const problem = rangeProblem(r);
              if (problem) ctx.addIssue({ code: 'custom', message: problem });
            }),
          }),
        ],
        { error: expected('expected digest, off or {semver: "<range>"}') },
      )
      .optional(),
  }).optional(),
});

export type RawService = z.output<typeof serviceSchema>;
