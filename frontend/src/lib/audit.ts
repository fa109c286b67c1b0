// The audit log: what changed between an event's before and after, and paging by event id.
import type { AuditEvent } from '../api/types';

export interface Change {
  key: string;
  before: unknown;
  after: unknown;
  kind: 'added' | 'removed' | 'changed';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** "AssignedUsers" and "assigned_users" name the same field (Go structs and JSON both occur). */
const norm = (k: string) => k.replace(/_/g, '').toLowerCase();

/**
 * Top-level fields that differ between before and after, in first-seen order. Field names are
 * matched loosely (case and underscores). When the two sides are different shapes (a whole
 * record before, an update request after), only the fields they share are compared: a field
 * missing on one side then says nothing about it being added or removed.
 */
export function changes(before: unknown, after: unknown): Change[] {
  if (!isObject(before) || !isObject(after)) return [];
  const bk = new Map(Object.keys(before).filter((k) => before[k] !== undefined).map((k) => [norm(k), k]));
  const ak = new Map(Object.keys(after).filter((k) => after[k] !== undefined).map((k) => [norm(k), k]));
  const union = new Set([...bk.keys(), ...ak.keys()]);
  const common = [...bk.keys()].filter((k) => ak.has(k));
  if (common.length === 0) return [];
  const sameShape = common.length * 2 >= union.size;
  const out: Change[] = [];
  for (const n of union) {
    const b = bk.get(n);
    const a = ak.get(n);
    if (b !== undefined && a !== undefined) {
      if (JSON.stringify(before[b]) !== JSON.stringify(after[a])) out.push({ key: a, before: before[b], after: after[a], kind: 'changed' });
    } else if (sameShape && a !== undefined) out.push({ key: a, before: undefined, after: after[a], kind: 'added' });
    else if (sameShape && b !== undefined) out.push({ key: b, before: before[b], after: undefined, kind: 'removed' });
  }
  return out;
}

/** "name: support_review, state: COMPLETED" from an object's first scalar fields. */
export function brief(v: unknown, max = 2): string {
  if (!isObject(v)) return v === undefined || v === null ? '' : truncate(typeof v === 'string' ? v : JSON.stringify(v), 40);
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') parts.push(`${k}: ${truncate(String(x), 40)}`);
    if (parts.length === max) break;
  }
  if (parts.length) return parts.join(', ');
  const keys = Object.keys(v);
  return keys.length ? truncate(keys.join(', '), 60) : '';
}

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** A one-line summary of the event's change, e.g. "name, assigned_users changed". */
export function changeSummary(e: Pick<AuditEvent, 'before' | 'after'>): string {
  const hasB = e.before !== undefined && e.before !== null;
  const hasA = e.after !== undefined && e.after !== null;
  if (!hasB && !hasA) return '';
  if (!hasB) return brief(e.after);
  if (!hasA) return 'deleted';
  const cs = changes(e.before, e.after);
  const mask = isObject(e.after) && Array.isArray(e.after.update_mask) ? (e.after.update_mask as unknown[]).map(String) : [];
  if (cs.length === 0) return mask.length ? `${mask.join(', ')} updated` : 'updated';
  const names = cs.slice(0, 3).map((c) => c.key).join(', ');
  return `${names}${cs.length > 3 ? ` and ${cs.length - 3} more` : ''} changed`;
}

/**
 * One page of events from a fetch of limit + 1: the events to show and the cursor of the next
 * (older) page, when there is one.
 */
export function auditPage(events: AuditEvent[], limit: number): { events: AuditEvent[]; olderBefore?: number } {
  if (events.length <= limit) return { events };
  const shown = events.slice(0, limit);
  return { events: shown, olderBefore: shown[shown.length - 1].id };
}

export function prettyJSON(v: unknown): string {
  if (v === undefined) return '—';
  try {
    return JSON.stringify(v, null, 2);
  } catch {
    return String(v);
  }
}
