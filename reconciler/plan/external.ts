/**
 * External references (`external: true`): objects a stack uses but never creates, changes or
 * removes. Each must exist before anything of the stack is written; a missing one fails the plan
 * with an error naming its kind, name, the services that use it and where it is declared.
 */
import { skError } from '../errors.js';
import type { ServiceSpec } from '../model/engine-types.js';
import type { DesiredState, ExternalRef, ObservedObject } from '../model/objects.js';
import { usersOf } from './refs.js';

function missingMessage(e: ExternalRef, users: string[]): string {
  const where = e.source !== undefined ? `${e.source}: ` : '';
  const by = users.length > 0 ? ` (used by service ${users.join(', ')})` : '';
  return `${where}external ${e.kind} "${e.name}" does not exist${by}; create it, or drop external: true so the stack creates it`;
}

/** Throws SK_ERR_DEPENDENCY_NOT_READY (waiting: retried) when an external object is missing. */
export function checkExternal(desired: DesiredState, observed: readonly ObservedObject[]): void {
  // only a service spec has a TaskTemplate: only services are users
  const specs = desired.objects.map((o): [string, ServiceSpec] => [o.name, o.spec as ServiceSpec]);
  const missing = (desired.external ?? []).filter(
    (e) => !observed.some((o) => o.kind === e.kind && o.name === e.name),
  );
  if (missing.length === 0) return;
  const messages = missing.map((e) => missingMessage(e, usersOf(e.kind, e.name, specs)));
  throw skError('DEPENDENCY_NOT_READY', messages.join('\n'));
}
