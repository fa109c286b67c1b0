import { describe, expect, it } from 'vitest';
import { buildSpanTree, decodeAny, reviewView } from '../lib/otel';
import type { OTelSpan } from '../api/types';

const b64 = (hex: string) => btoa(hex.match(/../g)!.map((h) => String.fromCharCode(parseInt(h, 16))).join(''));
const sv = (v: unknown) => ({ string_value: JSON.stringify(v) });

const spans: OTelSpan[] = [
  {
    trace_id: b64('00'.repeat(16)),
    span_id: b64('0000000000000001'),
    name: 'root',
    start_time_unix_nano: 1_000_000_000,
    end_time_unix_nano: 3_000_000_000,
    attributes: [
      { key: 'mlflow.spanType', value: sv('AGENT') },
      { key: 'mlflow.spanInputs', value: { kvlist_value: { values: [{ key: 'messages', value: { array_value: { values: [{ kvlist_value: { values: [{ key: 'role', value: { string_value: 'user' } }, { key: 'content', value: { string_value: 'hi' } }] } }] } } }] } } },
      { key: 'mlflow.spanOutputs', value: sv('hello') },
    ],
    status: { code: 'STATUS_CODE_OK' },
  },
  {
    trace_id: b64('00'.repeat(16)),
    span_id: b64('0000000000000002'),
    parent_span_id: b64('0000000000000001'),
    name: 'retrieve',
    start_time_unix_nano: '1500000000',
    end_time_unix_nano: '2000000000',
    attributes: [
      { key: 'mlflow.spanType', value: { string_value: 'RETRIEVER' } },
      { key: 'mlflow.spanOutputs', value: sv([{ page_content: 'doc', metadata: { doc_uri: 'u1' } }]) },
      { key: 'tokens', value: { int_value: '42' } },
    ],
    status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
  },
];

describe('OTel JSON spans', () => {
  it('decodes AnyValues', () => {
    expect(decodeAny({ int_value: '7' })).toBe(7);
    expect(decodeAny({ bool_value: false })).toBe(false);
    expect(decodeAny({ array_value: { values: [{ double_value: 1.5 }] } })).toEqual([1.5]);
    expect(decodeAny({ kvlist_value: { values: [{ key: 'a', value: { string_value: 'b' } }] } })).toEqual({ a: 'b' });
    expect(decodeAny({ kvlist_value: {} })).toEqual({});
  });
  it('builds the tree with hex ids, types, timing and status', () => {
    const t = buildSpanTree(spans);
    expect(t.roots).toHaveLength(1);
    expect(t.flat.map((n) => [n.name, n.depth, n.type])).toEqual([
      ['root', 0, 'AGENT'],
      ['retrieve', 1, 'RETRIEVER'],
    ]);
    expect(t.flat[1].id).toBe('0000000000000002');
    expect(t.flat[1].status).toBe('ERROR');
    expect(t.flat[1].attributes.tokens).toBe(42);
    expect(t.endNs - t.startNs).toBe(2_000_000_000);
  });
  it('derives what reviewers see', () => {
    const v = reviewView(spans);
    expect(v.inputs).toEqual({ messages: [{ role: 'user', content: 'hi' }] });
    expect(v.outputs).toBe('hello');
    expect(v.retriever_documents).toEqual([{ page_content: 'doc', doc_uri: 'u1', metadata: { doc_uri: 'u1' }, id: undefined }]);
  });
});
