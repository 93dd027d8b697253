/**
 * SwarmPlugin settings -> `POST /plugins/{name}/set` arguments, and whether an installed plugin
 * already has them. Pure.
 */
import type { z } from 'zod';
import type { pluginSettingsSchema } from '../reconciler/api/swarm-plugin.js';

export type PluginSettings = z.output<typeof pluginSettingsSchema>;

/** `Settings` of `GET /plugins/{name}/json`. */
export interface ObservedPluginSettings {
  Env?: string[] | null;
  Args?: string[] | null;
  Mounts?: { Name?: string; Source?: string | null }[] | null;
  Devices?: { Name?: string; Path?: string | null }[] | null;
}

/**
 * The `KEY=VALUE` list for `/plugins/{name}/set`: env as is, `<mount>.source=`, `<device>.path=`,
 * and `<argsName>=a b c` (argsName is Config.Args.Name of the plugin; `args` when unnamed).
 */
export function pluginSetArgs(settings: PluginSettings | undefined, argsName = ''): string[] {
  if (settings === undefined) return [];
  const out = [...(settings.env ?? [])];
  for (const m of settings.mounts ?? []) out.push(`${m.name}.source=${m.source}`);
  for (const d of settings.devices ?? []) out.push(`${d.name}.path=${d.path}`);
  if (settings.args !== undefined)
    out.push(`${argsName === '' ? 'args' : argsName}=${settings.args.join(' ')}`);
  return out;
}

export function hasSettings(settings: PluginSettings | undefined): boolean {
  return pluginSetArgs(settings).length > 0;
}

/** Settings that differ from what the plugin has, as human-readable `key` names (empty when all match). */
export function settingsDrift(
  desired: PluginSettings | undefined,
  observed: ObservedPluginSettings | undefined,
): string[] {
  if (desired === undefined) return [];
  const drift: string[] = [];
  const env = new Set(observed?.Env ?? []);
  for (const e of desired.env ?? []) if (!env.has(e)) drift.push(`env ${e.slice(0, e.indexOf('='))}`);
  for (const m of desired.mounts ?? []) {
    const o = (observed?.Mounts ?? []).find((x) => x.Name === m.name);
    if (o?.Source !== m.source) drift.push(`mount ${m.name}`);
  }
  for (const d of desired.devices ?? []) {
    const o = (observed?.Devices ?? []).find((x) => x.Name === d.name);
    if (o?.Path !== d.path) drift.push(`device ${d.name}`);
  }
  if (desired.args !== undefined && desired.args.join('\0') !== (observed?.Args ?? []).join('\0')) {
    drift.push('args');
  }
  return drift;
}
