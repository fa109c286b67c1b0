// The trace drawer: span tree with timing bars, the selected span's inputs/outputs/attributes,
// the trace's tags, metadata and assessments (with history).
import { useEffect, useMemo, useRef, useState } from 'react';
import { getTrace } from '../api/endpoints';
import type { FullTrace } from '../api/types';
import { buildSpanTree, type SpanNode } from '../lib/otel';
import { durationMs, fmtDuration, fmtTime } from '../lib/format';
import { AssessmentsByReviewer } from './Assessments';
import { ContentView, JsonView } from './Content';
import { Badge, ErrorState, Spinner, stateTone, useAsync } from './ui';

type Tab = 'spans' | 'assessments' | 'tags';

export function TraceDrawer({ traceId, onClose }: { traceId: string; onClose: () => void }) {
  const t = useAsync(() => getTrace(traceId), [traceId]);
  const [tab, setTab] = useState<Tab>('spans');
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [traceId]);
  return (
    <div className="drawer-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <aside
        className="drawer"
        role="dialog"
        aria-modal="true"
        aria-label={`Trace ${traceId}`}
        tabIndex={-1}
        ref={ref}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onClose();
        }}
      >
        <header className="drawer-header">
          <div>
            <div className="drawer-title">{t.data?.trace_info.tags?.['mlflow.traceName'] ?? 'Trace'}</div>
            <code className="muted small">{traceId}</code>
          </div>
          {t.data && (
            <div className="drawer-facts">
              <Badge tone={stateTone(t.data.trace_info.state)}>{t.data.trace_info.state}</Badge>
              <span>{fmtTime(t.data.trace_info.request_time)}</span>
              <span>{fmtDuration(durationMs(t.data.trace_info.execution_duration))}</span>
            </div>
          )}
          <button type="button" className="dialog-close" aria-label="Close trace" onClick={onClose}>
            ×
          </button>
        </header>
        <div className="tabs" role="tablist">
          {(
            [
              ['spans', 'Spans'],
              ['assessments', `Assessments${t.data?.trace_info.assessments?.length ? ` (${t.data.trace_info.assessments.length})` : ''}`],
              ['tags', 'Tags & metadata'],
            ] as [Tab, string][]
          ).map(([k, label]) => (
            <button key={k} type="button" role="tab" aria-selected={tab === k} className={`tab ${tab === k ? 'tab-on' : ''}`} onClick={() => setTab(k)}>
              {label}
            </button>
          ))}
        </div>
        <div className="drawer-body">
          {t.loading && !t.data && <Spinner label="Loading trace…" />}
          {t.error ? <ErrorState error={t.error} onRetry={t.reload} /> : null}
          {t.data && tab === 'spans' && <SpanExplorer trace={t.data} />}
          {t.data && tab === 'assessments' && (
            <div className="pad">
              <AssessmentsByReviewer assessments={t.data.trace_info.assessments ?? []} />
            </div>
          )}
          {t.data && tab === 'tags' && <TagsAndMetadata trace={t.data} />}
        </div>
      </aside>
    </div>
  );
}

function KV({ map }: { map: Record<string, string> | undefined }) {
  const entries = Object.entries(map ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <div className="muted">None.</div>;
  return (
    <table className="kv">
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th>{k}</th>
            <td>
              <code>{v.length > 500 ? `${v.slice(0, 500)}…` : v}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TagsAndMetadata({ trace }: { trace: FullTrace }) {
  return (
    <div className="pad">
      <h3 className="section-label">Tags</h3>
      <KV map={trace.trace_info.tags} />
      <h3 className="section-label">Metadata</h3>
      <KV map={trace.trace_info.trace_metadata} />
    </div>
  );
}

export function SpanExplorer({ trace }: { trace: FullTrace }) {
  const tree = useMemo(() => buildSpanTree(trace.spans ?? []), [trace]);
  const [sel, setSel] = useState<string | null>(null);
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const selected = tree.flat.find((n) => n.id === sel) ?? tree.flat[0];
  if (tree.flat.length === 0) return <div className="pad muted">This trace has no spans yet.</div>;
  const total = Math.max(1, tree.endNs - tree.startNs);
  const hidden = new Set<string>();
  const visible: SpanNode[] = [];
  for (const n of tree.flat) {
    if (hidden.has(n.parentId) || collapsed.has(n.parentId)) {
      hidden.add(n.id);
      continue;
    }
    visible.push(n);
  }
  const move = (d: number) => {
    const i = visible.findIndex((n) => n.id === selected?.id);
    const next = visible[Math.max(0, Math.min(visible.length - 1, i + d))];
    if (next) setSel(next.id);
  };
  return (
    <div className="span-explorer">
      <div
        className="span-tree"
        role="tree"
        aria-label="Spans"
        tabIndex={0}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            move(1);
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            move(-1);
          }
        }}
      >
        {visible.map((n) => {
          const left = ((n.startNs - tree.startNs) / total) * 100;
          const width = Math.max(0.5, ((n.endNs - n.startNs) / total) * 100);
          const has = n.children.length > 0;
          return (
            <div
              key={n.id}
              role="treeitem"
              aria-selected={selected?.id === n.id}
              aria-expanded={has ? !collapsed.has(n.id) : undefined}
              className={`span-row ${selected?.id === n.id ? 'span-row-on' : ''}`}
              onClick={() => setSel(n.id)}
            >
              <div className="span-name" style={{ paddingLeft: `${n.depth * 14 + 4}px` }}>
                {has ? (
                  <button
                    type="button"
                    className="twisty"
                    aria-label={collapsed.has(n.id) ? 'Expand' : 'Collapse'}
                    onClick={(e) => {
                      e.stopPropagation();
                      const c = new Set(collapsed);
                      if (c.has(n.id)) c.delete(n.id);
                      else c.add(n.id);
                      setCollapsed(c);
                    }}
                  >
                    {collapsed.has(n.id) ? '▸' : '▾'}
                  </button>
                ) : (
                  <span className="twisty" />
                )}
                <span className={`span-type span-type-${n.type.toLowerCase()}`}>{n.type}</span>
                <span className="span-label" title={n.name}>
                  {n.name}
                </span>
                {n.status === 'ERROR' && <Badge tone="error">error</Badge>}
              </div>
              <div className="span-timing" title={fmtDuration((n.endNs - n.startNs) / 1e6)}>
                <div className={`span-bar ${n.status === 'ERROR' ? 'span-bar-error' : ''}`} style={{ left: `${left}%`, width: `${Math.min(width, 100 - left)}%` }} />
              </div>
              <div className="span-dur">{fmtDuration((n.endNs - n.startNs) / 1e6)}</div>
            </div>
          );
        })}
      </div>
      {selected && <SpanDetail span={selected} />}
    </div>
  );
}

function SpanDetail({ span }: { span: SpanNode }) {
  const attrs = useMemo(() => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(span.attributes)) if (k !== 'mlflow.spanInputs' && k !== 'mlflow.spanOutputs') o[k] = v;
    return o;
  }, [span]);
  return (
    <div className="span-detail" data-testid="span-detail">
      <div className="span-detail-head">
        <strong>{span.name}</strong> <span className="muted">· {span.type}</span>
        <span className="muted"> · {fmtDuration((span.endNs - span.startNs) / 1e6)}</span>
        {span.statusMessage && <div className="inline-error">{span.statusMessage}</div>}
      </div>
      <h3 className="section-label">Inputs</h3>
      <ContentView value={span.inputs} />
      <h3 className="section-label">Outputs</h3>
      <ContentView value={span.outputs} />
      <h3 className="section-label">Attributes</h3>
      <JsonView value={attrs} />
      {span.events.length > 0 && (
        <>
          <h3 className="section-label">Events</h3>
          <JsonView value={span.events} />
        </>
      )}
    </div>
  );
}
