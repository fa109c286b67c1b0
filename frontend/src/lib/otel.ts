// Turns the OTel-JSON spans of GET /traces/get into a tree the drawer can draw, and derives what
// the Review App shows for a trace (root inputs/outputs, retrieved documents).
import type { AnyValue, KeyValue, OTelSpan, RetrieverDoc } from '../api/types';

/** Decodes an OTel AnyValue (proto JSON) into a plain JS value. */
export function decodeAny(v: AnyValue | undefined): unknown {
  if (!v) return null;
  if (v.string_value !== undefined) return v.string_value;
  if (v.bool_value !== undefined) return v.bool_value;
  if (v.int_value !== undefined) return typeof v.int_value === 'string' ? Number(v.int_value) : v.int_value;
  if (v.double_value !== undefined) return v.double_value;
  if (v.array_value !== undefined) return (v.array_value.values ?? []).map(decodeAny);
  if (v.kvlist_value !== undefined) return decodeKVs(v.kvlist_value.values ?? []);
  if (v.bytes_value !== undefined) return v.bytes_value;
  return null;
}

export function decodeKVs(kvs: KeyValue[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of kvs) out[kv.key] = decodeAny(kv.value);
  return out;
}

/** base64 → hex (span ids arrive base64-encoded). */
export function b64ToHex(s: string | undefined): string {
  if (!s) return '';
  try {
    const bin = atob(s);
    let h = '';
    for (let i = 0; i < bin.length; i++) h += bin.charCodeAt(i).toString(16).padStart(2, '0');
    return h;
  } catch {
    return s;
  }
}

/** MLflow attributes are JSON-encoded strings; decode them when they parse. */
function maybeJSON(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (!t || !'{["0123456789-tfn'.includes(t[0])) return v;
  try {
    return JSON.parse(t);
  } catch {
    return v;
  }
}

export interface SpanNode {
  id: string;
  parentId: string;
  name: string;
  type: string;
  startNs: number;
  endNs: number;
  status: string;
  statusMessage?: string;
  attributes: Record<string, unknown>;
  inputs: unknown;
  outputs: unknown;
  events: { name: string; timeNs: number; attributes: Record<string, unknown> }[];
  children: SpanNode[];
  depth: number;
}

const num = (v: number | string | undefined) => (v === undefined ? 0 : typeof v === 'string' ? Number(v) : v);

export function buildSpanTree(spans: OTelSpan[]): { roots: SpanNode[]; flat: SpanNode[]; startNs: number; endNs: number } {
  const nodes = new Map<string, SpanNode>();
  for (const s of spans) {
    const attrs = decodeKVs(s.attributes ?? []);
    const id = b64ToHex(s.span_id);
    nodes.set(id, {
      id,
      parentId: b64ToHex(s.parent_span_id),
      name: s.name ?? '(unnamed)',
      type: String(maybeJSON(attrs['mlflow.spanType']) ?? attrs['openinference.span.kind'] ?? 'UNKNOWN'),
      startNs: num(s.start_time_unix_nano),
      endNs: num(s.end_time_unix_nano),
      status: String(s.status?.code ?? 'STATUS_CODE_UNSET').replace('STATUS_CODE_', ''),
      statusMessage: s.status?.message,
      attributes: attrs,
      inputs: maybeJSON(attrs['mlflow.spanInputs'] ?? attrs['input.value'] ?? attrs['gen_ai.input.messages']),
      outputs: maybeJSON(attrs['mlflow.spanOutputs'] ?? attrs['output.value'] ?? attrs['gen_ai.output.messages']),
      events: (s.events ?? []).map((e) => ({ name: e.name ?? '', timeNs: num(e.time_unix_nano), attributes: decodeKVs(e.attributes ?? []) })),
      children: [],
      depth: 0,
    });
  }
  const roots: SpanNode[] = [];
  for (const n of nodes.values()) {
    const p = n.parentId ? nodes.get(n.parentId) : undefined;
    if (p) p.children.push(n);
    else roots.push(n);
  }
  const byStart = (a: SpanNode, b: SpanNode) => a.startNs - b.startNs;
  const flat: SpanNode[] = [];
  const walk = (n: SpanNode, d: number) => {
    n.depth = d;
    flat.push(n);
    n.children.sort(byStart).forEach((c) => walk(c, d + 1));
  };
  roots.sort(byStart).forEach((r) => walk(r, 0));
  const starts = flat.map((n) => n.startNs).filter((x) => x > 0);
  const ends = flat.map((n) => n.endNs).filter((x) => x > 0);
  return { roots, flat, startNs: starts.length ? Math.min(...starts) : 0, endNs: ends.length ? Math.max(...ends) : 0 };
}

/** Reads a retriever span's output as documents ({page_content, metadata.doc_uri}). */
export function asRetrieverDocs(v: unknown): RetrieverDoc[] | null {
  if (!Array.isArray(v) || v.length === 0) return null;
  const docs: RetrieverDoc[] = [];
  for (const d of v) {
    if (typeof d !== 'object' || d === null) return null;
    const o = d as Record<string, unknown>;
    if (typeof o.page_content !== 'string') return null;
    const md = (typeof o.metadata === 'object' && o.metadata !== null ? o.metadata : {}) as Record<string, unknown>;
    docs.push({ page_content: o.page_content, doc_uri: String(o.doc_uri ?? md.doc_uri ?? ''), metadata: md, id: o.id ? String(o.id) : undefined });
  }
  return docs;
}

/** What the Review App renders for a trace: root inputs/outputs and retrieved documents. */
export function reviewView(spans: OTelSpan[]): { inputs: unknown; outputs: unknown; retriever_documents: RetrieverDoc[] } {
  const { roots, flat } = buildSpanTree(spans);
  const root = roots[0];
  const docs: RetrieverDoc[] = [];
  for (const n of flat) if (n.type === 'RETRIEVER') docs.push(...(asRetrieverDocs(n.outputs) ?? []));
  return { inputs: root?.inputs ?? null, outputs: root?.outputs ?? null, retriever_documents: docs };
}
