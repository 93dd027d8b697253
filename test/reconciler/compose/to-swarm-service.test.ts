import { runtimeCases } from './to-swarm-service-runtime-cases.js';
import { wiringCases } from './to-swarm-service-wiring-cases.js';
import { describe, expect, it } from 'vitest';
import { baseSpec, deploy, merge, serviceOf } from './helpers.js';
import { type Case } from './to-swarm-service-case.js';

const cases: Case[] = [...wiringCases, ...runtimeCases];

describe('toSwarm: services', () => {
  it.each(cases.map((c) => [c.title, c] as const))('%s', (_title, c) => {
    const state = deploy(c.yaml, {
      ...(c.env ? { env: c.env } : {}),
      ...(c.files ? { files: c.files } : {}),
    });
    expect(serviceOf(state, 'st_s')).toEqual(merge(baseSpec(), c.patch));
  });

  it('has at least 25 cases', () => expect(cases.length).toBeGreaterThanOrEqual(25));
});
