// Fake plugin actors that count their calls; each may be replaced per test.
import { fromPromise } from 'xstate';
import type { PluginInstallActors } from '../../../machines/plugin-install.setup.js';

export type Calls = Record<string, number>;

export function fakeActors(
  over: Partial<
    Record<keyof PluginInstallActors, (input: unknown, signal: AbortSignal) => Promise<unknown>>
  > = {},
): { actors: PluginInstallActors; calls: Calls } {
  const calls: Calls = {};
  const base: Record<keyof PluginInstallActors, (input: unknown, signal: AbortSignal) => Promise<unknown>> = {
    inspect: async () => null,
    privileges: async () => [{ Name: 'network', Value: ['none'] }],
    pull: async () => ({ types: ['docker.volumedriver/1.0'] }),
    disable: async () => undefined,
    upgrade: async () => ({ types: ['docker.volumedriver/1.0'] }),
    configure: async () => undefined,
    enable: async () => undefined,
    listed: async () => true,
    ...over,
  };
  const wrap = (name: keyof PluginInstallActors) =>
    fromPromise(async ({ input, signal }: { input: unknown; signal: AbortSignal }) => {
      calls[name] = (calls[name] ?? 0) + 1;
      return base[name](input, signal);
    });
  const actors = Object.fromEntries(Object.keys(base).map((k) => [k, wrap(k as keyof PluginInstallActors)]));
  return { actors: actors as unknown as PluginInstallActors, calls };
}

/** A promise that settles only when the actor is stopped. */
export const hang = (_input: unknown, signal: AbortSignal) =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
