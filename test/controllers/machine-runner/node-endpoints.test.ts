import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { labNodeEndpoints, staticNodeEndpoints } from '../../../controllers/machine-runner/node-endpoints.js';

const node = (id: string, hostname: string) => ({ id, hostname });
const modem = (d: Docker | undefined) =>
  d?.modem as unknown as { socketPath?: string; host?: string } | undefined;

describe('node endpoints', () => {
  it('maps lab hostnames to their sockets', () => {
    const e = labNodeEndpoints({
      NODE_1_HOSTNAME: 'sk-n1',
      NODE_1_DOCKER_HOST: 'unix:///lab/n1/docker.sock',
      NODE_2_HOSTNAME: 'sk-n2',
      NODE_2_DOCKER_HOST: 'unix:///lab/n2/docker.sock',
    });
    expect(modem(e.docker(node('x', 'sk-n2')))?.socketPath).toBe('/lab/n2/docker.sock');
    expect(e.docker(node('x', 'sk-n9'))).toBeUndefined();
    expect(e.describe(node('x', 'sk-n1'))).toBe('sk-n1: unix:///lab/n1/docker.sock');
  });

  it('prefers the node ID over the hostname and reuses clients', () => {
    const e = staticNodeEndpoints({ abc: 'unix:///a.sock', h: 'tcp://10.0.0.2:2375' });
    expect(modem(e.docker(node('abc', 'h')))?.socketPath).toBe('/a.sock');
    expect(modem(e.docker(node('zzz', 'h')))?.host).toBe('10.0.0.2');
    expect(e.docker(node('zzz', 'h'))).toBe(e.docker(node('zzz', 'h')));
  });
});
