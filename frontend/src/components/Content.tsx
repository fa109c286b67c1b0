// Renders a trace's inputs/outputs the way reviewers see them (lib/content.ts picks the kind).
import { memo, useMemo } from 'react';
import type { RetrieverDoc } from '../api/types';
import { classify, prettyJSON, type ChatMessage } from '../lib/content';
import { renderMarkdown } from '../lib/markdown';

/** Sanitized Markdown: the one place HTML strings reach the DOM, always via renderMarkdown. */
export const Markdown = memo(function Markdown({ text, className = '' }: { text: string; className?: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  return <div className={`md ${className}`} dangerouslySetInnerHTML={{ __html: html }} />;
});

export function JsonView({ value }: { value: unknown }) {
  const text = useMemo(() => prettyJSON(value), [value]);
  return (
    <pre className="json" data-kind="json">
      {text}
    </pre>
  );
}

const ROLE_LABEL: Record<string, string> = { user: 'User', assistant: 'Assistant', system: 'System', tool: 'Tool result', developer: 'Developer', function: 'Function result' };

function Bubble({ m }: { m: ChatMessage }) {
  const role = m.role.toLowerCase();
  if (role === 'tool' || role === 'function') {
    return (
      <div className="bubble bubble-tool-result" data-kind="tool-result">
        <div className="bubble-role">
          ↩ Tool result{m.toolName ? <> · <code>{m.toolName}</code></> : null}
          {m.toolCallId && <span className="muted"> ({m.toolCallId})</span>}
        </div>
        <ToolPayload text={m.text} />
      </div>
    );
  }
  return (
    <>
      {(m.text || m.toolCalls.length === 0) && (
        <div className={`bubble bubble-${role in ROLE_LABEL ? role : 'other'}`} data-kind="message" data-role={role}>
          <div className="bubble-role">{ROLE_LABEL[role] ?? m.role}{m.name ? ` · ${m.name}` : ''}</div>
          {m.text ? <Markdown text={m.text} /> : <span className="muted">(no text)</span>}
        </div>
      )}
      {m.toolCalls.map((tc, i) => (
        <div className="bubble bubble-tool-call" data-kind="tool-call" key={tc.id || i}>
          <div className="bubble-role">
            🔧 Tool call · <code>{tc.name}</code>
            {tc.id && <span className="muted"> ({tc.id})</span>}
          </div>
          {typeof tc.arguments === 'string' ? <pre className="json">{tc.arguments}</pre> : <JsonView value={tc.arguments} />}
        </div>
      ))}
    </>
  );
}

/** A tool result is often JSON in a string: show it as JSON then, else as text. */
function ToolPayload({ text }: { text: string }) {
  const parsed = useMemo(() => {
    const t = text.trim();
    if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return undefined;
    }
  }, [text]);
  if (parsed !== undefined) return <JsonView value={parsed} />;
  return <Markdown text={text} />;
}

export function ChatView({ messages, extra }: { messages: ChatMessage[]; extra?: Record<string, unknown> }) {
  return (
    <div className="chat" data-kind="chat">
      {messages.map((m, i) => (
        <Bubble key={i} m={m} />
      ))}
      {extra && (
        <details className="chat-extra">
          <summary>Other fields</summary>
          <JsonView value={extra} />
        </details>
      )}
    </div>
  );
}

export function DocList({ docs }: { docs: RetrieverDoc[] }) {
  return (
    <ol className="docs" data-kind="docs">
      {docs.map((d, i) => (
        <li key={i} className="doc">
          <div className="doc-head">
            <span className="doc-n">Document {i + 1}</span>
            {d.doc_uri && <span className="doc-uri" title={d.doc_uri}>{d.doc_uri}</span>}
          </div>
          <Markdown text={d.page_content ?? ''} className="doc-body" />
        </li>
      ))}
    </ol>
  );
}

/** Renders any inputs/outputs value by its kind. */
export function ContentView({ value }: { value: unknown }) {
  const block = useMemo(() => classify(value), [value]);
  switch (block.kind) {
    case 'empty':
      return <div className="muted">(empty)</div>;
    case 'markdown':
      return <Markdown text={block.text} className="content-text" />;
    case 'docs':
      return <DocList docs={block.docs} />;
    case 'chat':
      return <ChatView messages={block.messages} extra={block.extra} />;
    case 'json':
      return <JsonView value={block.value} />;
  }
}

/** The trace as reviewers see it: retrieved documents, the request, the response. */
export function TraceContent({ inputs, outputs, docs }: { inputs: unknown; outputs: unknown; docs?: RetrieverDoc[] }) {
  return (
    <div className="trace-content">
      <section className="content-section">
        <h3 className="section-label">Request</h3>
        <ContentView value={inputs} />
      </section>
      {docs && docs.length > 0 && (
        <section className="content-section">
          <h3 className="section-label">Retrieved documents</h3>
          <DocList docs={docs} />
        </section>
      )}
      <section className="content-section">
        <h3 className="section-label">Response</h3>
        <ContentView value={outputs} />
      </section>
    </div>
  );
}
