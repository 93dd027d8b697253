import { describe, expect, it } from 'vitest';
import { loadCompose } from '../../../reconciler/compose/load.js';
import { isSensitive } from '../../../reconciler/model/sensitive.js';
import { memFiles } from './helpers.js';

const load = (text: string, env: Record<string, string> = {}) =>
  loadCompose({ file: '/s/stack.yml', text }, { env, files: memFiles({}) });

describe('loadCompose', () => {
  it('drops x-* extension fields at every level but keeps user data keys', () => {
    const p = load(`version: "3.9"
x-top: {anything: 1}
services:
  web:
    image: a
    x-note: hello
    labels: {x-keep: "1"}
    environment: {x-env: v}
    deploy:
      x-deep: 1
      replicas: 2
networks:
  n:
    x-meta: 1
    driver_opts: {x-opt: "2"}
`);
    expect(p.services.web).toEqual({
      image: 'a',
      labels: { 'x-keep': '1' },
      environment: { 'x-env': 'v' },
      deploy: { replicas: 2 },
    });
    expect(p.networks).toEqual({ n: { driver_opts: { 'x-opt': '2' } } });
  });

  it('resolves anchors, aliases and merge keys (explicit keys win)', () => {
    const p = load(`x-base: &base
  image: a
  environment: &env {A: "1", B: "2"}
  deploy: {replicas: 2}
services:
  one:
    <<: *base
    deploy: {replicas: 5}
  two:
    <<: *base
    environment: *env
`);
    expect(p.services.one).toEqual({ image: 'a', environment: { A: '1', B: '2' }, deploy: { replicas: 5 } });
    expect(p.services.two).toEqual({ image: 'a', environment: { A: '1', B: '2' }, deploy: { replicas: 2 } });
  });

  it('parses like go-yaml: octal modes, "80:80" stays a string, keys stay text', () => {
    const p = load(`services:
  web:
    image: a
    ports: [80:80]
    environment: {N: , "on": x}
    configs: [{source: c, mode: 0440}]
configs:
  c: {content: x}
`);
    expect(p.services.web?.ports).toEqual([{ target: 80, published: 80, protocol: 'tcp', mode: 'ingress' }]);
    expect(p.services.web?.environment).toEqual({ N: null, on: 'x' });
    expect(p.services.web?.configs).toEqual([{ source: 'c', mode: 0o440 }]);
  });

  it('interpolates values (not keys) from the explicit env map only', () => {
    const p = load(
      'services:\n  ${S}:\n    image: "${IMG:-busybox}:${TAG}"\n    deploy: {replicas: "${N}"}\n',
      {
        TAG: '1',
        N: '3',
      },
    );
    expect(Object.keys(p.services)).toEqual(['${S}']);
    expect(p.services['${S}']).toEqual({ image: 'busybox:1', deploy: { replicas: 3 } });
  });

  it('reads secret values from the env map into a Sensitive', () => {
    const p = load('services: {}\nsecrets:\n  pw: {environment: DB_PW}\n', { DB_PW: 'hunter2' });
    const value = p.secrets.pw?.environmentValue;
    expect(isSensitive(value)).toBe(true);
    expect(value?.reveal()).toBe('hunter2');
    expect(JSON.stringify(p)).not.toContain('hunter2');
  });

  it('collects warnings for things docker stack deploy ignores', () => {
    const p = load('services:\n  web:\n    image: a\n    ports: ["127.0.0.1:8080:80"]\n');
    expect(p.warnings).toEqual([
      '/s/stack.yml: services.web.ports: host IP 127.0.0.1 is ignored; swarm publishes port 8080 on all addresses',
    ]);
  });

  it('accepts an already-parsed document', () => {
    const p = loadCompose(
      { file: '/r/res.yaml', document: { services: { web: { image: '${I}', 'x-a': 1 } } } },
      { env: { I: 'img' } },
    );
    expect(p.services).toEqual({ web: { image: 'img' } });
    expect(p.file).toBe('/r/res.yaml');
  });
});
