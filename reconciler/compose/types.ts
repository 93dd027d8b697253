import type { Sensitive } from '../model/sensitive.js';
import type { RawConfig, RawNetwork, RawSecret, RawVolume } from './schema-top.js';
import type { RawService } from './schema-service.js';

export type { ComposePort } from './ports.js';
export type { ComposeServiceVolume } from './volumes.js';

/**
 * A service after loading: env_file is merged into `environment` (service entries win,
 * value-less entries are looked up in the env map), relative bind sources are resolved
 * against the compose file's directory.
 */
export type ComposeService = Omit<RawService, 'env_file' | 'environment'> & {
  environment?: Record<string, string | null>;
};

export type ComposeNetwork = RawNetwork;
export type ComposeVolume = RawVolume;
export type ComposeConfig = RawConfig;
/** `environment:` secrets carry their value, resolved at load time and never printed. */
export type ComposeSecret = Omit<RawSecret, 'environment'> & {
  environment?: string;
  environmentValue?: Sensitive<string>;
  /** The value given from outside the compose file (a SwarmStack's spec.secretRefs). */
  refValue?: Sensitive<Uint8Array>;
};

/** A validated, interpolated compose file (pure data; no I/O happens after loading but file reads). */
export interface ComposeProject {
  /** The compose file, as given to loadCompose (relative files resolve against its directory). */
  file: string;
  /** Top-level `name:`, if any. */
  name?: string;
  services: Record<string, ComposeService>;
  networks: Record<string, ComposeNetwork>;
  volumes: Record<string, ComposeVolume>;
  configs: Record<string, ComposeConfig>;
  secrets: Record<string, ComposeSecret>;
  /** Things docker stack deploy accepts but ignores (e.g. a host IP on a published port). */
  warnings: string[];
}
