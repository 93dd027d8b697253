/** Short port syntax, as `docker stack config` (docker CLI 28) reads it; checked against its output. */
import { describe, expect, it } from 'vitest';
import { loadCompose } from '../../../reconciler/compose/load.js';
import { parseShortPort, type ComposePort } from '../../../reconciler/compose/ports.js';
import { memFiles } from './helpers.js';

function loadPorts(ports: string): ComposePort[] {
  const text = `services:\n  s:\n    image: a\n    ports: ${ports}\n`;
  return (
    loadCompose({ file: 'stack.yml', text }, { env: {}, files: memFiles({}) }).services['s']?.ports ?? []
  );
}

function loadError(ports: string): string {
  try {
    loadPorts(ports);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected ${ports} to be rejected`);
}

const tcp = (target: number, published?: number): ComposePort => ({
  target,
  ...(published === undefined ? {} : { published }),
  protocol: 'tcp',
  mode: 'ingress',
});

describe('short port syntax: accepted', () => {
  it.each<[string, ComposePort[]]>([
    ['80', [tcp(80)]],
    ['1', [tcp(1)]],
    ['65535', [tcp(65535)]],
    ['8080:80', [tcp(80, 8080)]],
    ['080:80', [tcp(80, 80)]],
    [':80', [tcp(80)]],
    ['1-1', [tcp(1)]],
    ['3000-3002', [tcp(3000), tcp(3001), tcp(3002)]],
    ['65534-65535:1-2', [tcp(1, 65534), tcp(2, 65535)]],
    [
      '9000-9001:8000-8001/udp',
      [
        { ...tcp(8000, 9000), protocol: 'udp' },
        { ...tcp(8001, 9001), protocol: 'udp' },
      ],
    ],
    // a published range onto one container port publishes each of them (docker stack config does)
    ['8080-8081:80', [tcp(80, 8080), tcp(80, 8081)]],
    [
      '127.0.0.1:7-9:80/udp',
      [7, 8, 9].map((p) => ({ ...tcp(80, p), protocol: 'udp' as const, hostIp: '127.0.0.1' })),
    ],
    ['80/UDP', [{ ...tcp(80), protocol: 'udp' }]],
    ['80:80/sctp', [{ ...tcp(80, 80), protocol: 'sctp' }]],
    ['1.2.3.4:81:80', [{ ...tcp(80, 81), hostIp: '1.2.3.4' }]],
    ['127.0.0.1::80', [{ ...tcp(80), hostIp: '127.0.0.1' }]],
    ['[::1]:81:80/udp', [{ ...tcp(80, 81), protocol: 'udp', hostIp: '::1' }]],
    ['[::1]:80', [{ ...tcp(80), hostIp: '::1' }]],
  ])('%s', (spec, want) => {
    expect(parseShortPort(spec)).toStrictEqual(want);
    expect(loadPorts(JSON.stringify([spec]))).toEqual(want);
  });

  it('a number is read as a port', () => expect(loadPorts('[80]')).toEqual([tcp(80)]));

  it('lists flatten in order, ranges expanded in place', () =>
    expect(loadPorts('["82-83", "81:81"]')).toEqual([tcp(82), tcp(83), tcp(81, 81)]));
});

describe('short port syntax: rejected, naming the field and the part at fault', () => {
  it.each([
    ['0', 'invalid container port range "0"'],
    ['70000', 'invalid container port range "70000"'],
    ['65536', 'invalid container port range "65536"'],
    ['90-80', 'invalid container port range "90-80"'],
    ['90-80:90-80', 'invalid container port range "90-80"'],
    ['90-80:80-90', 'invalid published port range "90-80"'],
    ['0:80', 'invalid published port range "0"'],
    ['70000:80', 'invalid published port range "70000"'],
    ['80:0', 'invalid container port range "0"'],
    ['a80:80', 'invalid published port "a80"'],
    ['80x:80', 'invalid published port "80x"'],
    ['80:a80', 'invalid container port "a80"'],
    ['80:80x', 'invalid container port "80x"'],
    ['x80', 'invalid container port "x80"'],
    ['80-', 'invalid container port "80-"'],
    ['-80', 'invalid container port "-80"'],
    ['80:', 'invalid container port ""'],
    ['1-2:1-3', 'invalid port range "1-2:1-3": published and container ranges must have the same size'],
    ['1-3:1-2', 'invalid port range "1-3:1-2": published and container ranges must have the same size'],
    ['80:80-81', 'invalid port range "80:80-81": published and container ranges must have the same size'],
    ['80/foo', 'invalid protocol "foo"; supported: tcp, udp, sctp'],
    ['80/', 'invalid protocol ""; supported: tcp, udp, sctp'],
    ['1.2.3.4:5:80:80', 'invalid port specification "1.2.3.4:5:80:80"'],
    ['[::1]:1:80:80', 'invalid port specification "[::1]:1:80:80"'],
    // an IPv6 host is only a bracketed address at the very start
    ['x[::1]:80:80', 'invalid port specification "x[::1]:80:80"'],
    // a protocol with no port before it
    ['/udp', 'invalid container port ""'],
  ])('%s', (spec, message) => {
    expect(() => parseShortPort(spec)).toThrow(message);
    expect(loadError(JSON.stringify([spec]))).toBe(`stack.yml:4: services.s.ports[0]: ${message}`);
  });

  it('the index of the bad entry is in the path', () =>
    expect(loadError('["80", "8080:80", "a80:80"]')).toBe(
      'stack.yml:4: services.s.ports[2]: invalid published port "a80"',
    ));
});
