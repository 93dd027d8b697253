import { RESOLVE_IMAGE_MODES, type ResolveImageMode } from '../../reconciler/plan/image-pin.js';
import { cliStackSettings, type StackSettings } from '../stack/stack-settings.js';

export function stackSettingsOf(opts: { limits?: string; policy?: string }): StackSettings {
  return cliStackSettings(opts);
}

export function printWarnings(warnings: readonly string[]): void {
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
}

/** Validates --resolve-image. */
export function resolveImageOf(value: string | undefined): ResolveImageMode | undefined {
  if (value === undefined) return undefined;
  if (!(RESOLVE_IMAGE_MODES as readonly string[]).includes(value))
    throw new Error(`--resolve-image must be one of ${RESOLVE_IMAGE_MODES.join(', ')}, not "${value}"`);
  return value as ResolveImageMode;
}
