// Decides how a trace's inputs or outputs are shown (SPEC §7, MLflow Review App rules):
// retrieved documents as a list; OpenAI chat (`messages` arrays, ChatCompletion `choices`) as a
// transcript with tool calls and tool results as their own bubbles; plain text as Markdown;
// anything else as pretty-printed JSON.
import type { RetrieverDoc } from '../api/types';
import { asRetrieverDocs } from './otel';

export interface ToolCall {
  id: string;
  name: string;
  arguments: unknown;
}

export interface ChatMessage {
  role: string;
  /** Text of the message (parts joined); '' when it has none. */
  text: string;
  toolCalls: ToolCall[];
  toolCallId?: string;
  /** For tool results: the function name of the call it answers, when known. */
  toolName?: string;
  name?: string;
}

export type Block =
  | { kind: 'chat'; messages: ChatMessage[]; extra?: Record<string, unknown> }
  | { kind: 'markdown'; text: string }
  | { kind: 'json'; value: unknown }
  | { kind: 'docs'; docs: RetrieverDoc[] }
  | { kind: 'empty' };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseArgs(a: unknown): unknown {
  if (typeof a !== 'string') return a;
  try {
    return JSON.parse(a);
  } catch {
    return a;
  }
}

function contentText(c: unknown): string {
  if (c === null || c === undefined) return '';
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) {
    return c
      .map((p) => {
        if (typeof p === 'string') return p;
        if (isObj(p)) {
          if (typeof p.text === 'string') return p.text;
          if (p.type === 'image_url' && isObj(p.image_url)) return `![image](${String(p.image_url.url ?? '')})`;
          if (p.type === 'input_text' && typeof p.text === 'string') return p.text;
        }
        return '```json\n' + JSON.stringify(p, null, 2) + '\n```';
      })
      .join('\n\n');
  }
  return '```json\n' + JSON.stringify(c, null, 2) + '\n```';
}

function isMessage(m: unknown): m is Obj {
  return isObj(m) && typeof m.role === 'string' && ('content' in m || 'tool_calls' in m);
}

export function isMessageArray(v: unknown): v is Obj[] {
  return Array.isArray(v) && v.length > 0 && v.every(isMessage);
}

/** Converts OpenAI chat messages, linking tool results to the calls they answer. */
export function toChatMessages(raw: Obj[]): ChatMessage[] {
  const callNames = new Map<string, string>();
  return raw.map((m) => {
    const toolCalls: ToolCall[] = [];
    if (Array.isArray(m.tool_calls)) {
      for (const tc of m.tool_calls) {
        if (!isObj(tc)) continue;
        const fn = isObj(tc.function) ? tc.function : {};
        const call = { id: String(tc.id ?? ''), name: String(fn.name ?? tc.name ?? 'tool'), arguments: parseArgs(fn.arguments ?? tc.arguments) };
        if (call.id) callNames.set(call.id, call.name);
        toolCalls.push(call);
      }
    }
    const toolCallId = typeof m.tool_call_id === 'string' ? m.tool_call_id : undefined;
    return {
      role: String(m.role),
      text: contentText(m.content),
      toolCalls,
      toolCallId,
      toolName: toolCallId ? callNames.get(toolCallId) ?? (typeof m.name === 'string' ? m.name : undefined) : undefined,
      name: typeof m.name === 'string' ? m.name : undefined,
    };
  });
}

function isChatCompletion(v: unknown): v is Obj & { choices: Obj[] } {
  return isObj(v) && Array.isArray(v.choices) && v.choices.length > 0 && v.choices.every((c) => isObj(c) && isMessage(c.message));
}

/** Picks the renderer for a value. */
export function classify(v: unknown): Block {
  if (v === null || v === undefined || v === '') return { kind: 'empty' };
  if (typeof v === 'string') {
    // A string that holds JSON (as MLflow attributes do) is classified by what it holds.
    const t = v.trim();
    if ((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'))) {
      try {
        return classify(JSON.parse(t));
      } catch {
        /* plain text */
      }
    }
    return { kind: 'markdown', text: v };
  }
  if (typeof v === 'number' || typeof v === 'boolean') return { kind: 'markdown', text: String(v) };
  const docs = asRetrieverDocs(v);
  if (docs) return { kind: 'docs', docs };
  if (isChatCompletion(v)) {
    return { kind: 'chat', messages: toChatMessages(v.choices.map((c) => c.message as Obj)) };
  }
  if (isMessageArray(v)) return { kind: 'chat', messages: toChatMessages(v) };
  if (isObj(v) && isMessageArray(v.messages)) {
    const extra: Obj = {};
    for (const [k, x] of Object.entries(v)) if (k !== 'messages') extra[k] = x;
    return { kind: 'chat', messages: toChatMessages(v.messages), extra: Object.keys(extra).length ? extra : undefined };
  }
  return { kind: 'json', value: v };
}

/** JSON text, capped so a huge payload cannot freeze the page. */
export function prettyJSON(v: unknown, max = 200_000): string {
  let s: string;
  try {
    s = JSON.stringify(v, null, 2) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > max ? `${s.slice(0, max)}\n… ${(s.length - max).toLocaleString()} more characters not shown` : s;
}
