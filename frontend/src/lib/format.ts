// Small formatting helpers shared by the pages.

/** "1.840s" (protobuf Duration) → milliseconds. */
export function durationMs(d: string | undefined): number {
  if (!d) return 0;
  const m = /^(-?\d+(?:\.\d+)?)s$/.exec(d.trim());
  return m ? Math.round(parseFloat(m[1]) * 1000) : 0;
}

export function fmtDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1) return '<1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Time from an RFC 3339 string or epoch milliseconds. */
export function toDate(t: string | number | undefined | null): Date | null {
  if (t === undefined || t === null || t === '') return null;
  const d = typeof t === 'number' ? new Date(t) : /^\d+$/.test(t) ? new Date(Number(t)) : new Date(t);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function fmtTime(t: string | number | undefined | null): string {
  const d = toDate(t);
  if (!d) return '—';
  const now = new Date();
  const sameDay = d.toDateString() === now.toDateString();
  return sameDay
    ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function truncate(s: string | undefined, n: number): string {
  if (!s) return '';
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** A preview string (JSON of root inputs/outputs) made readable in one line. */
export function previewText(s: string | undefined): string {
  if (!s) return '';
  const t = s.trim();
  try {
    const v = JSON.parse(t);
    return oneLine(v);
  } catch {
    return t.replace(/\s+/g, ' ');
  }
}

function oneLine(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.replace(/\s+/g, ' ');
  if (Array.isArray(v)) {
    const last = v[v.length - 1] as { content?: unknown } | undefined;
    if (last && typeof last === 'object' && 'content' in last) return oneLine(last.content);
    return v.map(oneLine).join(' · ');
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.messages)) return oneLine(o.messages);
    if (Array.isArray(o.choices)) {
      const c = o.choices[0] as { message?: { content?: unknown } } | undefined;
      if (c?.message) return oneLine(c.message.content);
    }
    const keys = Object.keys(o);
    if (keys.length === 1) return oneLine(o[keys[0]]);
    return JSON.stringify(o);
  }
  return String(v);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/** Splits a list of emails typed with commas, spaces or new lines; lower-cases them. */
export function parseEmails(s: string): { emails: string[]; invalid: string[] } {
  const parts = s.split(/[\s,;]+/).map((x) => x.trim().toLowerCase()).filter(Boolean);
  const emails: string[] = [];
  const invalid: string[] = [];
  for (const p of parts) {
    if (/^[^@\s]+@[^@\s]+$/.test(p)) {
      if (!emails.includes(p)) emails.push(p);
    } else invalid.push(p);
  }
  return { emails, invalid };
}
