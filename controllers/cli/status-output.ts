/**
 * What `swarmkeeper status` prints: one row per resource, then one row per deploy hook of a
 * resource's revision (its stage, revision and state; the exit code of a failed run).
 */
import type { HookStatus } from '../../reconciler/status/resource-status.js';

export interface StatusRow {
  resource: string;
  sync: string;
  health: string;
  services: string;
  objects: number;
  /** With --redis-url: the running controller's Ready condition and last applied revision. */
  ready?: string;
  revision?: string;
  /** The deploy hooks of the resource's revision (from -f's plan, else from the controller). */
  hooks?: HookStatus[];
}

function columns(head: string[], cells: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const fmt = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [fmt(head), ...cells.map(fmt)].join('\n');
}

/** A hook's state as status prints it. */
export function hookStateText(h: HookStatus): string {
  switch (h.state) {
    case 'done':
      return 'completed';
    case 'failed':
      return h.exitCode === undefined ? 'failed' : `failed (exit code ${h.exitCode})`;
    default:
      return h.state;
  }
}

/** The table of resources, followed by the table of their hooks when any has one. */
export function statusText(rows: readonly StatusRow[], withController: boolean): string {
  if (rows.length === 0) return 'No managed resources.';
  const head = ['RESOURCE', 'SYNC', 'HEALTH', 'SERVICES (running/desired)', 'OBJECTS'];
  if (withController) head.push('READY', 'REVISION');
  const resources = columns(
    head,
    rows.map((r) => [
      r.resource,
      r.sync,
      r.health,
      r.services,
      String(r.objects),
      ...(withController ? [r.ready ?? '-', r.revision ?? '-'] : []),
    ]),
  );
  const hooks = rows.flatMap((r) =>
    (r.hooks ?? []).map((h) => [r.resource, h.service, h.phase, h.revision, hookStateText(h)]),
  );
  if (hooks.length === 0) return resources;
  return `${resources}\n\n${columns(['RESOURCE', 'HOOK', 'STAGE', 'REVISION', 'STATE'], hooks)}`;
}
