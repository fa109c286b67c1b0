// Traces: search_traces with the filter box, sortable columns, page tokens, checkbox selection
// (and "select all N matching"), Actions → "Add to labeling session", and the trace drawer.
import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from '../api/client';
import { addTracesToSession, countTraces, listSessions, searchTraces } from '../api/endpoints';
import type { LabelingSession, TraceInfo } from '../api/types';
import { assessmentChips } from '../components/Assessments';
import { TraceDrawer } from '../components/TraceDrawer';
import { Badge, Button, Dialog, EmptyState, ErrorState, InlineError, Spinner, stateTone, toast, useAsync } from '../components/ui';
import { durationMs, fmtDuration, fmtTime, plural, previewText, truncate } from '../lib/format';
import { Link, setQuery, useLocation } from '../router';

const PAGE = 50;
type SortKey = 'timestamp_ms' | 'name' | 'status' | 'execution_time_ms';

export function TracesPage({ experimentId }: { experimentId: string }) {
  const { search } = useLocation();
  const filter = search.get('filter') ?? '';
  const sortKey = (search.get('sort') as SortKey) || 'timestamp_ms';
  const sortDir = search.get('dir') === 'asc' ? 'ASC' : 'DESC';
  const openTrace = search.get('trace');
  const [draft, setDraft] = useState(filter);
  const [tokens, setTokens] = useState<string[]>(['']); // page tokens; last one is the current page
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [allMatching, setAllMatching] = useState(false);
  const [dialog, setDialog] = useState(false);
  const [menu, setMenu] = useState(false);

  useEffect(() => setDraft(filter), [filter]);
  useEffect(() => {
    setTokens(['']);
    setSelected(new Set());
    setAllMatching(false);
  }, [experimentId, filter, sortKey, sortDir]);

  const pageToken = tokens[tokens.length - 1];
  const res = useAsync(
    () => searchTraces({ experimentId, filter, orderBy: [`${sortKey} ${sortDir}`, ...(sortKey === 'timestamp_ms' ? [] : ['timestamp_ms DESC'])], pageToken: pageToken || undefined, maxResults: PAGE }),
    [experimentId, filter, sortKey, sortDir, pageToken],
  );
  const traces = res.data?.traces ?? [];
  const filterError = res.error instanceof ApiError && res.error.status === 400 ? res.error.message : null;
  const pageAllSelected = traces.length > 0 && traces.every((t) => selected.has(t.trace_id));
  const total = useAsync(
    () => (pageAllSelected && res.data?.next_page_token ? countTraces(experimentId, filter) : Promise.resolve(null)),
    [pageAllSelected, experimentId, filter, !!res.data?.next_page_token],
  );

  const sortBy = (k: SortKey) => {
    const dir = k === sortKey ? (sortDir === 'DESC' ? 'asc' : 'desc') : k === 'name' ? 'asc' : 'desc';
    setQuery({ sort: k === 'timestamp_ms' && dir === 'desc' ? null : k, dir: dir === 'desc' ? null : dir });
  };
  const toggle = (id: string) => {
    setAllMatching(false);
    const s = new Set(selected);
    if (s.has(id)) s.delete(id);
    else s.add(id);
    setSelected(s);
  };
  const togglePage = () => {
    setAllMatching(false);
    const s = new Set(selected);
    if (pageAllSelected) traces.forEach((t) => s.delete(t.trace_id));
    else traces.forEach((t) => s.add(t.trace_id));
    setSelected(s);
  };
  const selCount = allMatching ? total.data?.count ?? selected.size : selected.size;

  return (
    <div className="page">
      <div className="page-header">
        <h1>Traces</h1>
        <div className="page-actions">
          <div className="menu-wrap">
            <Button variant="primary" aria-haspopup="menu" aria-expanded={menu} disabled={selCount === 0} onClick={() => setMenu((m) => !m)}>
              Actions{selCount ? ` (${selCount.toLocaleString()})` : ''} ▾
            </Button>
            {menu && (
              <div className="menu" role="menu" onKeyDown={(e) => e.key === 'Escape' && setMenu(false)}>
                <button
                  type="button"
                  role="menuitem"
                  autoFocus
                  onClick={() => {
                    setMenu(false);
                    setDialog(true);
                  }}
                >
                  Add to labeling session
                </button>
              </div>
            )}
          </div>
        </div>
      </div>
      <form
        className="filter-bar"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery({ filter: draft.trim() || null });
        }}
      >
        <input
          className={`input filter-input ${filterError ? 'input-invalid' : ''}`}
          aria-label="Filter traces"
          aria-invalid={!!filterError}
          placeholder={`Filter, e.g.  tags.topic = 'billing' AND status = 'OK'   (conditions are joined with AND)`}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          spellCheck={false}
        />
        <Button type="submit" variant="secondary">
          Search
        </Button>
        {filter && (
          <Button variant="ghost" onClick={() => setQuery({ filter: null })}>
            Clear
          </Button>
        )}
      </form>
      {filterError && (
        <InlineError>
          <strong>Filter error:</strong> {filterError}
        </InlineError>
      )}
      {pageAllSelected && res.data?.next_page_token && (
        <div className="select-banner" role="status">
          {allMatching ? (
            <>
              All {total.data ? `${total.data.count.toLocaleString()}${total.data.capped ? '+' : ''}` : ''} traces matching {filter ? 'the filter' : 'this experiment'} are selected.{' '}
              <button type="button" className="link" onClick={() => { setAllMatching(false); setSelected(new Set()); }}>
                Clear selection
              </button>
            </>
          ) : (
            <>
              All {traces.length} traces on this page are selected.{' '}
              <button type="button" className="link" onClick={() => setAllMatching(true)}>
                Select all {total.data ? `${total.data.count.toLocaleString()}${total.data.capped ? '+' : ''} ` : ''}matching traces
              </button>
            </>
          )}
        </div>
      )}
      {res.error && !filterError ? <ErrorState error={res.error} onRetry={res.reload} /> : null}
      {!res.error && res.loading && !res.data && <Spinner label="Loading traces…" />}
      {!res.error && res.data && traces.length === 0 && (
        <EmptyState title={filter ? 'No traces match this filter' : 'No traces yet'}>
          {filter ? (
            'Change the filter, or clear it to see every trace.'
          ) : (
            <>
              Point your app's tracing at this server: <code>mlflow.set_tracking_uri("{window.location.origin}")</code> with experiment id <code>{experimentId}</code>, or
              send OTLP to <code>{window.location.origin}/v1/traces</code> with header <code>x-mlflow-experiment-id: {experimentId}</code>.
            </>
          )}
        </EmptyState>
      )}
      {!res.error && traces.length > 0 && (
        <div className={`table-wrap ${res.loading ? 'is-loading' : ''}`}>
          <table className="table traces-table">
            <thead>
              <tr>
                <th className="col-check">
                  <input type="checkbox" aria-label="Select all traces on this page" checked={pageAllSelected} onChange={togglePage} />
                </th>
                <SortTh k="timestamp_ms" cur={sortKey} dir={sortDir} onSort={sortBy}>
                  Time
                </SortTh>
                <SortTh k="name" cur={sortKey} dir={sortDir} onSort={sortBy}>
                  Name
                </SortTh>
                <SortTh k="status" cur={sortKey} dir={sortDir} onSort={sortBy}>
                  Status
                </SortTh>
                <SortTh k="execution_time_ms" cur={sortKey} dir={sortDir} onSort={sortBy} className="num">
                  Duration
                </SortTh>
                <th>Request</th>
                <th>Response</th>
                <th>Tags</th>
                <th>Assessments</th>
              </tr>
            </thead>
            <tbody>
              {traces.map((t) => (
                <TraceRow key={t.trace_id} t={t} checked={allMatching || selected.has(t.trace_id)} onToggle={() => toggle(t.trace_id)} onOpen={() => setQuery({ trace: t.trace_id }, { replace: false })} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {res.data && (tokens.length > 1 || res.data.next_page_token) && (
        <div className="pager">
          <Button disabled={tokens.length <= 1} onClick={() => setTokens(tokens.slice(0, -1))}>
            ← Previous
          </Button>
          <span className="muted">Page {tokens.length}</span>
          <Button disabled={!res.data.next_page_token} onClick={() => setTokens([...tokens, res.data!.next_page_token!])}>
            Next →
          </Button>
        </div>
      )}
      {dialog && (
        <AddToSessionDialog
          experimentId={experimentId}
          target={allMatching ? { filter } : { trace_ids: Array.from(selected) }}
          count={selCount}
          onClose={() => setDialog(false)}
        />
      )}
      {openTrace && <TraceDrawer traceId={openTrace} onClose={() => setQuery({ trace: null }, { replace: false })} />}
    </div>
  );
}

function SortTh({ k, cur, dir, onSort, children, className = '' }: { k: SortKey; cur: SortKey; dir: string; onSort: (k: SortKey) => void; children: string; className?: string }) {
  const on = k === cur;
  return (
    <th className={className} aria-sort={on ? (dir === 'ASC' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="sort" onClick={() => onSort(k)}>
        {children}
        <span className="sort-mark" aria-hidden="true">
          {on ? (dir === 'ASC' ? '▲' : '▼') : '↕'}
        </span>
      </button>
    </th>
  );
}

function TraceRow({ t, checked, onToggle, onOpen }: { t: TraceInfo; checked: boolean; onToggle: () => void; onOpen: () => void }) {
  const chips = useMemo(() => assessmentChips(t.assessments), [t.assessments]);
  const tags = Object.entries(t.tags ?? {}).filter(([k]) => !k.startsWith('mlflow.'));
  const name = t.tags?.['mlflow.traceName'] ?? '—';
  return (
    <tr className={checked ? 'row-on' : ''} data-trace-id={t.trace_id}>
      <td className="col-check">
        <input type="checkbox" aria-label={`Select trace ${t.trace_id}`} checked={checked} onChange={onToggle} />
      </td>
      <td className="nowrap">
        <button type="button" className="link" onClick={onOpen} title={t.trace_id}>
          {fmtTime(t.request_time)}
        </button>
      </td>
      <td className="nowrap">{truncate(name, 32)}</td>
      <td>
        <Badge tone={stateTone(t.state)}>{t.state}</Badge>
      </td>
      <td className="num nowrap">{fmtDuration(durationMs(t.execution_duration))}</td>
      <td className="preview" title={t.request_preview}>
        {truncate(previewText(t.request_preview), 90)}
      </td>
      <td className="preview" title={t.response_preview}>
        {truncate(previewText(t.response_preview), 90)}
      </td>
      <td>
        <div className="chips">
          {tags.slice(0, 3).map(([k, v]) => (
            <span className="chip" key={k} title={`${k} = ${v}`}>
              {truncate(k, 14)}: {truncate(v, 14)}
            </span>
          ))}
          {tags.length > 3 && <span className="chip chip-more">+{tags.length - 3}</span>}
        </div>
      </td>
      <td>
        <div className="chips">
          {chips.map((c) => (
            <span className="chip chip-assess" key={c.name} title={`${c.name}: ${c.text} (${c.count})`}>
              {truncate(c.name, 16)}: {c.text}
              {c.count > 1 && <span className="chip-count">×{c.count}</span>}
            </span>
          ))}
        </div>
      </td>
    </tr>
  );
}

/** Lists the experiment's sessions with "Export" beside each, then "Done" (seed UI). */
export function AddToSessionDialog({
  experimentId,
  target,
  count,
  onClose,
}: {
  experimentId: string;
  target: { trace_ids: string[] } | { filter: string };
  count: number;
  onClose: () => void;
}) {
  const sessions = useAsync(() => listSessions(experimentId), [experimentId]);
  const [busy, setBusy] = useState<string | null>(null);
  const [done, setDone] = useState<Record<string, string>>({});
  const [err, setErr] = useState<Record<string, string>>({});
  const doneRef = useRef<HTMLButtonElement>(null);
  const add = async (s: LabelingSession) => {
    setBusy(s.labeling_session_id);
    setErr((e) => ({ ...e, [s.labeling_session_id]: '' }));
    try {
      const r = await addTracesToSession(s.labeling_session_id, target);
      const msg = `Added ${plural(r.added, 'trace')}${r.already_present ? `, ${r.already_present} already there` : ''} · ${plural(r.total_items, 'item')} now`;
      setDone((d) => ({ ...d, [s.labeling_session_id]: msg }));
      toast(`${s.name}: ${msg}`);
      doneRef.current?.focus();
    } catch (e) {
      setErr((x) => ({ ...x, [s.labeling_session_id]: (e as Error).message }));
    } finally {
      setBusy(null);
    }
  };
  return (
    <Dialog
      title="Add to labeling session"
      onClose={onClose}
      footer={
        <Button variant="primary" onClick={onClose} ref={doneRef as never}>
          Done
        </Button>
      }
    >
      <p className="muted">
        {'filter' in target ? `All ${count ? count.toLocaleString() + ' ' : ''}traces matching the filter` : plural(count, 'selected trace')} will be added. A trace already in a session is not added twice.
      </p>
      {sessions.loading && <Spinner label="Loading sessions…" />}
      {sessions.error ? <ErrorState error={sessions.error} onRetry={sessions.reload} /> : null}
      {sessions.data && sessions.data.length === 0 && (
        <EmptyState title="No labeling sessions in this experiment" action={<Link to={`/experiments/${experimentId}/sessions?create=1`}>Create a session</Link>} />
      )}
      {sessions.data && sessions.data.length > 0 && (
        <ul className="session-pick" aria-label="Labeling sessions">
          {sessions.data.map((s) => (
            <li key={s.labeling_session_id}>
              <div>
                <div className="strong">{s.name}</div>
                <div className="muted small">
                  {s.progress ? plural(s.progress.total, 'item') : ''} · {plural(s.assigned_users?.length ?? 0, 'reviewer')}
                </div>
                {done[s.labeling_session_id] && <div className="ok-text small">{done[s.labeling_session_id]}</div>}
                {err[s.labeling_session_id] && <div className="field-error">{err[s.labeling_session_id]}</div>}
              </div>
              <Button variant={done[s.labeling_session_id] ? 'secondary' : 'primary'} disabled={busy !== null} onClick={() => add(s)} aria-label={`Export to ${s.name}`}>
                {busy === s.labeling_session_id ? 'Adding…' : done[s.labeling_session_id] ? 'Added ✓' : 'Export'}
              </Button>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
