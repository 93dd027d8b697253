/** Plan rendering: readable text like `terraform plan`, and a JSON-safe object. Secrets are redacted. */
import { isSensitive, REDACTED } from '../model/sensitive.js';
import { hookLines } from './hooks.js';
import { isPlainObject } from './paths.js';
import { summarize, type Action, type BlockedChange, type FieldChange, type Plan } from './types.js';

/** A JSON-safe deep copy: Sensitive values become `[redacted]`, undefined fields are dropped. */
export function toJSONSafe(v: unknown): unknown {
  if (isSensitive(v)) return REDACTED;
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : toJSONSafe(x)));
  if (v !== null && typeof v === 'object') {
    const entries = isPlainObject(v) ? Object.entries(v) : Object.entries(v as Record<string, unknown>);
    const out: Record<string, unknown> = {};
    for (const [k, x] of entries) if (x !== undefined && typeof x !== 'function') out[k] = toJSONSafe(x);
    return out;
  }
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  return v;
}

export function planToJSON(p: Plan): Record<string, unknown> {
  return { ...(toJSONSafe(p) as Record<string, unknown>), summary: summarize(p) };
}

function value(v: unknown): string {
  if (v === undefined) return '(absent)';
  return JSON.stringify(toJSONSafe(v));
}

function changeLines(changes: readonly FieldChange[] | undefined): string[] {
  return (changes ?? []).map((c) => `  ${c.path}: ${value(c.from)} -> ${value(c.to)}`);
}

function actionLines(a: Action): string[] {
  switch (a.op) {
    case 'create':
      return [`+ create ${a.kind} ${a.name}`];
    case 'update': {
      const notes = [a.adopt ? 'adopt' : '', a.labelsOnly ? 'labels only, no task restart' : ''].filter(
        Boolean,
      );
      const suffix = notes.length > 0 ? ` (${notes.join(', ')})` : '';
      return [`~ update ${a.kind} ${a.name}${suffix}`, ...changeLines(a.changes)];
    }
    case 'remove':
      return [`- remove ${a.kind} ${a.name} (${a.why})`];
    case 'recreate': {
      const affected =
        a.affectedServices.length > 0 ? [`  affects services: ${a.affectedServices.join(', ')}`] : [];
      return [`-/+ recreate ${a.kind} ${a.name}`, ...changeLines(a.changes), ...affected];
    }
  }
}

function blockedLines(b: BlockedChange): string[] {
  return [`! blocked ${b.kind} ${b.name}: ${b.code}: ${b.message}`, ...changeLines(b.changes)];
}

/** Text rendering, one line per action, indented field changes, and a closing summary line. */
export function renderPlan(p: Plan): string {
  const hooks = hookLines(p.hooks ?? []);
  const lines = [...p.actions.flatMap(actionLines), ...p.blocked.flatMap(blockedLines)];
  const s = summarize(p);
  if (lines.length === 0) return [...hooks, 'No changes.'].join('\n');
  lines.unshift(...hooks);
  lines.push(
    '',
    `Plan: ${s.create} to create, ${s.update} to update, ${s.remove} to remove, ${s.recreate} to recreate, ${s.blocked} blocked.`,
  );
  return lines.join('\n');
}
