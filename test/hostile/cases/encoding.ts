import type { HostileCase } from '../case.js';
import { stack, withEnvFile } from '../compose-text.js';

const C = 'docker-compose.yml';
const utf8 = (s: string): number[] => [...Buffer.from(s, 'utf8')];
const utf16le = (s: string): number[] => [0xff, 0xfe, ...Buffer.from(s, 'utf16le')];
const utf16be = (s: string): number[] => {
  const le = Buffer.from(s, 'utf16le');
  const out = [0xfe, 0xff];
  for (let i = 0; i < le.length; i += 2) out.push(le[i + 1]!, le[i]!);
  return out;
};
/** A stack whose line 8 holds `bytes` inside an environment value. */
const withEnvBytes = (bytes: number[]): number[] => [
  ...utf8(stack('    environment:\n      NAME: "caf')),
  ...bytes,
  ...utf8('"\n'),
];

/**
 * Bytes are decoded as docker's YAML reader does: UTF-8 (BOM or not), UTF-16 with a BOM; anything
 * else is a precise error with the line, never U+FFFD in a service.
 */
export const cases: HostileCase[] = [
  {
    name: 'encoding-latin1-value',
    class: 'encoding',
    files: { [C]: { bytes: withEnvBytes([0xe9]) } },
    expect: {
      code: 'SK_ERR_ENCODING',
      message: `bad/${C}:9: not valid UTF-8 (byte 0xE9 at column 17); save the file as UTF-8`,
    },
  },
  {
    name: 'encoding-latin1-comment',
    class: 'encoding',
    files: { [C]: { bytes: [...utf8('# r'), 0xe9, ...utf8('sum\n'), ...utf8(stack())] } },
    expect: { code: 'SK_ERR_ENCODING', message: `bad/${C}:1: not valid UTF-8 (byte 0xE9 at column 4)` },
  },
  {
    name: 'encoding-latin1-other-yaml',
    class: 'encoding',
    files: {
      'net.yaml': {
        bytes: [
          ...utf8('apiVersion: swarmkeeper.io/v1alpha1\nkind: SwarmNetwork\nmetadata: {name: n'),
          0xe9,
          0x0a,
        ],
      },
    },
    expect: { code: 'SK_ERR_ENCODING', message: 'bad/net.yaml:3: not valid UTF-8 (byte 0xE9 at column 19)' },
  },
  {
    name: 'encoding-overlong',
    class: 'encoding',
    files: { [C]: { bytes: withEnvBytes([0xc0, 0xaf]) } },
    expect: { code: 'SK_ERR_ENCODING', message: `bad/${C}:9: not valid UTF-8 (byte 0xC0 at column 17)` },
  },
  {
    name: 'encoding-surrogate',
    class: 'encoding',
    files: { [C]: { bytes: withEnvBytes([0xed, 0xa0, 0x80]) } },
    expect: { code: 'SK_ERR_ENCODING', message: `bad/${C}:9: not valid UTF-8 (byte 0xED at column 17)` },
  },
  {
    name: 'encoding-truncated-at-end',
    class: 'encoding',
    files: { [C]: { bytes: [...utf8(stack()), 0xe2, 0x82] } },
    expect: { code: 'SK_ERR_ENCODING', message: `bad/${C}:8: not valid UTF-8 (byte 0xE2 at column 1)` },
  },
  {
    name: 'encoding-lone-continuation',
    class: 'encoding',
    files: { [C]: { bytes: withEnvBytes([0x80]) } },
    expect: { code: 'SK_ERR_ENCODING', message: `bad/${C}:9: not valid UTF-8 (byte 0x80 at column 17)` },
  },
  {
    name: 'encoding-env-file-latin1',
    class: 'encoding',
    files: { [C]: withEnvFile('app.env'), 'app.env': { bytes: [...utf8('A=1\nB=caf'), 0xe9, 0x0a] } },
    expect: {
      code: 'SK_ERR_ENCODING',
      message: `bad/${C}:8: services.app.env_file: cannot read env file "bad/app.env": line 2: not valid UTF-8 (byte 0xE9 at column 6)`,
    },
  },
  {
    name: 'encoding-utf32le-bom',
    class: 'encoding',
    files: { [C]: { bytes: [0xff, 0xfe, 0, 0, ...[...Buffer.from('s', 'utf16le')], 0, 0] } },
    expect: { code: 'SK_ERR_ENCODING', message: `bad/${C}: UTF-32 is not supported; save the file as UTF-8` },
  },
  {
    name: 'encoding-utf16le-odd-length',
    class: 'encoding',
    files: { [C]: { bytes: [...utf16le(stack()), 0x41] } },
    expect: {
      code: 'SK_ERR_ENCODING',
      message: `bad/${C}: not valid UTF-16LE (it starts with a UTF-16 byte order mark)`,
    },
  },
  {
    name: 'encoding-utf8-bom-ok',
    class: 'encoding',
    files: { [C]: { bytes: [0xef, 0xbb, 0xbf, ...utf8(stack())] } },
    expect: { ok: true },
  },
  {
    name: 'encoding-utf16le-bom-ok',
    class: 'encoding',
    files: { [C]: { bytes: utf16le(stack('    environment: { NAME: "café ☕" }\n')) } },
    expect: { ok: true },
  },
  {
    name: 'encoding-utf16be-bom-ok',
    class: 'encoding',
    files: { [C]: { bytes: utf16be(stack()) } },
    expect: { ok: true },
  },
  {
    name: 'encoding-utf8-multibyte-ok',
    class: 'encoding',
    files: { [C]: stack('    environment: { NAME: "café ☕ 𝄞" }\n') },
    expect: { ok: true },
  },
];
