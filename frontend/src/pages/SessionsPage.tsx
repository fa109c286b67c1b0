// Labeling sessions: the list on the left, "Create session" (with the live label preview), the
// session page (requests table, per-reviewer progress, charts), Share, Sync, JSONL export, and
// the assessment pop-up of a request.
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import {
  batchGetTraceInfos,
  deleteSession,
  getSession,
  getTrace,
  listSchemas,
  listSessionItems,
  listSessions,
  sessionExportUrl,
  sessionStats,
} from '../api/endpoints';
import { ApiError, errorMessage } from '../api/client';
import type { LabelingSession, Schema, SessionItem, TraceInfo } from '../api/types';
import { AssessmentsByReviewer } from '../components/Assessments';
import { TraceContent } from '../components/Content';
import { Badge, Button, Dialog, EmptyState, ErrorState, InlineError, ProgressBar, Spinner, stateTone, toast, useAsync } from '../components/ui';
import { fmtTime, plural, previewText, truncate } from '../lib/format';
import { reviewView } from '../lib/otel';
import { deriveStats } from '../lib/stats';
import { Link, navigate, setQuery, useLocation } from '../router';
import { CreateSessionDialog, ShareDialog, SyncDialog } from './SessionDialogs';

const SessionCharts = lazy(() => import('../components/Charts'));

export default function SessionsPage({ experimentId, sessionId }: { experimentId: string; sessionId?: string }) {
  const { search } = useLocation();
  const sessions = useAsync(() => listSessions(experimentId), [experimentId]);
  const [creating, setCreating] = useState(search.get('create') === '1');
  const base = `/experiments/${encodeURIComponent(experimentId)}/sessions`;
  useEffect(() => {
    if (!sessionId && sessions.data && sessions.data.length > 0 && search.get('create') !== '1') {
      navigate(`${base}/${encodeURIComponent(sessions.data[0].labeling_session_id)}`, { replace: true });
    }
  }, [sessionId, sessions.data, base, search]);
  return (
    <div className="split">
      <aside className="split-list" aria-label="Labeling sessions">
        <div className="split-list-head">
          <h1>Labeling sessions</h1>
          <Button variant="primary" onClick={() => setCreating(true)}>
            Create session
          </Button>
        </div>
        {sessions.loading && !sessions.data && <Spinner />}
        {sessions.error ? <ErrorState error={sessions.error} onRetry={sessions.reload} /> : null}
        {sessions.data && sessions.data.length === 0 && <EmptyState title="No sessions yet">Create one, then add traces to it from the Traces page.</EmptyState>}
        <ul className="list">
          {sessions.data?.map((s) => (
            <li key={s.labeling_session_id}>
              <Link to={`${base}/${encodeURIComponent(s.labeling_session_id)}`} className={`list-item ${s.labeling_session_id === sessionId ? 'list-item-on' : ''}`} aria-current={s.labeling_session_id === sessionId ? 'page' : undefined}>
                <span className="list-item-title">{s.name}</span>
                <span className="muted small">
                  {s.progress ? `${s.progress.completed}/${s.progress.total} done` : ''} · {plural(s.assigned_users?.length ?? 0, 'reviewer')}
                </span>
                {s.progress && <ProgressBar value={s.progress.completed} max={s.progress.total} />}
              </Link>
            </li>
          ))}
        </ul>
      </aside>
      <section className="split-main">
        {sessionId ? (
          <SessionDetail key={sessionId} sessionId={sessionId} experimentId={experimentId} onChanged={sessions.reload} />
        ) : (
          sessions.data && <EmptyState title="Pick a session on the left, or create one" />
        )}
      </section>
      {creating && (
        <CreateSessionDialog
          experimentId={experimentId}
          onClose={() => {
            setCreating(false);
            if (search.get('create')) setQuery({ create: null });
          }}
          onCreated={(s) => {
            setCreating(false);
            sessions.reload();
            navigate(`${base}/${encodeURIComponent(s.labeling_session_id)}`);
          }}
        />
      )}
    </div>
  );
}

function SessionDetail({ sessionId, experimentId, onChanged }: { sessionId: string; experimentId: string; onChanged: () => void }) {
  const { search } = useLocation();
  const openItem = search.get('item');
  const s = useAsync(() => getSession(sessionId), [sessionId]);
  const items = useAsync(async () => (s.data ? listSessionItems(s.data) : []), [s.data?.labeling_session_id, s.data?.last_update_time]);
  const infos = useAsync(async () => {
    const ids = (items.data ?? []).map((i) => i.source.trace_id).filter(Boolean) as string[];
    const list = ids.length ? await batchGetTraceInfos(ids.slice(0, 500)) : [];
    return new Map(list.map((t) => [t.trace_id, t]));
  }, [items.data]);
  const serverStats = useAsync(() => sessionStats(sessionId), [sessionId, items.data]);
  // Until the server's stats route answers, work the figures out from the items and assessments.
  const stats = useMemo(() => {
    if (serverStats.data) return { data: serverStats.data, error: null, reload: serverStats.reload };
    if (serverStats.loading || !items.data || !infos.data || !s.data) return { data: undefined, error: null, reload: serverStats.reload };
    const derived = deriveStats(items.data, infos.data, s.data.assigned_users ?? [], (s.data.labeling_schemas ?? []).map((x) => x.name));
    return { data: derived, error: serverStats.error instanceof ApiError && serverStats.error.status === 404 ? null : serverStats.error, reload: serverStats.reload };
  }, [serverStats.data, serverStats.loading, serverStats.error, serverStats.reload, items.data, infos.data, s.data]);
  const schemas = useAsync(() => listSchemas(experimentId).catch(() => [] as Schema[]), [experimentId]);
  const [share, setShare] = useState(false);
  const [sync, setSync] = useState(false);
  const [confirmDel, setConfirmDel] = useState(false);

  if (s.loading && !s.data) return <Spinner label="Loading session…" />;
  if (s.error) return <ErrorState error={s.error} onRetry={s.reload} />;
  const sess = s.data!;
  const p = sess.progress;
  const reviewers = sess.assigned_users ?? [];
  const item = openItem ? items.data?.find((i) => i.item_id === openItem) : undefined;
  const reviewUrl = `/review/${encodeURIComponent(sess.labeling_session_id)}`;
  return (
    <div className="session" data-testid="session-detail">
      <div className="page-header">
        <div>
          <h1>{sess.name}</h1>
          <div className="muted small meta-line">
            <span>{plural(sess.labeling_schemas?.length ?? 0, 'schema')}: {sess.labeling_schemas?.map((x) => x.name).join(', ')}</span>
            <span>reviews per item: {String(sess.reviews_per_item ?? 1)}</span>
            {sess.created_by && <span>created by {sess.created_by}</span>}
            {sess.create_time && <span>{fmtTime(sess.create_time)}</span>}
            <span>
              run <code>{sess.mlflow_run_id}</code>
            </span>
          </div>
        </div>
        <div className="page-actions">
          <Link className="btn btn-secondary" to={reviewUrl}>
            Open in Review App
          </Link>
          <Button onClick={() => setSync(true)}>Sync to dataset</Button>
          <a className="btn btn-secondary" href={sessionExportUrl(sess.labeling_session_id)} download={`${sess.name}.jsonl`}>
            Export JSONL
          </a>
          <Button variant="primary" onClick={() => setShare(true)}>
            Share
          </Button>
          <Button variant="ghost" title="Delete session" onClick={() => setConfirmDel(true)}>
            Delete
          </Button>
        </div>
      </div>

      <div className="cards">
        <div className="card">
          <h3 className="section-label">Progress</h3>
          {p ? (
            <>
              <div className="big-number">
                {p.completed} <span className="muted">/ {p.total} completed</span>
              </div>
              <ProgressBar value={p.completed} max={p.total} label="Session progress" />
              <div className="muted small meta-line">
                <span>{p.in_progress} in progress</span>
                <span>{p.pending} pending</span>
                <span>{p.skipped} skipped</span>
              </div>
            </>
          ) : (
            <div className="muted">—</div>
          )}
        </div>
        <div className="card card-grow">
          <h3 className="section-label">Reviewers</h3>
          {reviewers.length === 0 ? (
            <div className="muted">
              Nobody yet. <button type="button" className="link" onClick={() => setShare(true)}>Share the session</button> to assign reviewers.
            </div>
          ) : (
            <table className="table table-compact" data-testid="reviewer-progress">
              <thead>
                <tr>
                  <th>Reviewer</th>
                  <th className="num">Done</th>
                  <th className="num">Skipped</th>
                  <th className="num">To do</th>
                  <th className="num">Median time</th>
                </tr>
              </thead>
              <tbody>
                {reviewers.map((r) => {
                  const st = stats.data?.reviewers?.find((x) => x.reviewer === r);
                  return (
                    <tr key={r}>
                      <td>{r}</td>
                      <td className="num">{st?.done ?? 0}</td>
                      <td className="num">{st?.skipped ?? 0}</td>
                      <td className="num">{st?.todo ?? p?.total ?? 0}</td>
                      <td className="num">{st?.median_ms != null ? `${(st.median_ms / 1000).toFixed(1)} s` : '—'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </div>
      </div>

      {stats.data && (
        <Suspense fallback={<Spinner label="Loading charts…" />}>
          <SessionCharts stats={stats.data} schemas={schemas.data ?? []} />
        </Suspense>
      )}
      {stats.error ? <InlineError>Statistics unavailable: {errorMessage(stats.error)}</InlineError> : null}

      <h2 className="h2">Requests</h2>
      {items.loading && !items.data && <Spinner label="Loading requests…" />}
      {items.error ? <ErrorState error={items.error} onRetry={items.reload} /> : null}
      {items.data && items.data.length === 0 && (
        <EmptyState title="No requests in this session yet" action={<Link to={`/experiments/${encodeURIComponent(experimentId)}/traces`}>Go to Traces to add some</Link>}>
          Tick traces in the trace table, then Actions → Add to labeling session.
        </EmptyState>
      )}
      {items.data && items.data.length > 0 && (
        <div className="table-wrap">
          <table className="table requests-table" data-testid="requests-table">
            <thead>
              <tr>
                <th className="num">#</th>
                <th>Request</th>
                <th>State</th>
                {reviewers.map((r) => (
                  <th key={r} className="reviewer-col" title={r}>
                    {r.split('@')[0]}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {items.data.map((it, i) => (
                <RequestRow key={it.item_id} n={(it.position ?? i) + 1} item={it} info={infos.data?.get(it.source.trace_id ?? '')} reviewers={reviewers} onOpen={() => setQuery({ item: it.item_id }, { replace: false })} />
              ))}
            </tbody>
          </table>
        </div>
      )}

      {share && (
        <ShareDialog
          session={sess}
          onClose={() => setShare(false)}
          onSaved={(ns) => {
            setShare(false);
            s.setData({ ...sess, ...ns, progress: ns.progress ?? sess.progress });
            onChanged();
            stats.reload();
          }}
        />
      )}
      {sync && <SyncDialog session={sess} experimentId={experimentId} onClose={() => setSync(false)} />}
      {confirmDel && (
        <Dialog
          title="Delete this session?"
          onClose={() => setConfirmDel(false)}
          footer={
            <>
              <Button onClick={() => setConfirmDel(false)}>Cancel</Button>
              <Button
                variant="danger"
                onClick={async () => {
                  try {
                    await deleteSession(sess);
                    toast('Session deleted');
                    onChanged();
                    navigate(`/experiments/${encodeURIComponent(experimentId)}/sessions`);
                  } catch (e) {
                    toast(errorMessage(e), 'error');
                  }
                }}
              >
                Delete session
              </Button>
            </>
          }
        >
          <p>
            “{sess.name}” leaves the Review App. Its traces and every assessment reviewers made stay; the run is marked deleted.
          </p>
        </Dialog>
      )}
      {openItem && (
        <RequestPopup
          item={item}
          itemId={openItem}
          session={sess}
          schemas={schemas.data ?? []}
          experimentId={experimentId}
          onClose={() => setQuery({ item: null }, { replace: false })}
        />
      )}
    </div>
  );
}

function reviewMark(state: string | undefined) {
  switch (state) {
    case 'COMPLETED':
      return <Badge tone="ok">✓ done</Badge>;
    case 'SKIPPED':
      return <Badge tone="warn">skipped</Badge>;
    case 'IN_PROGRESS':
      return <Badge tone="info">started</Badge>;
    default:
      return <span className="muted">—</span>;
  }
}

function RequestRow({ n, item, info, reviewers, onOpen }: { n: number; item: SessionItem; info?: TraceInfo; reviewers: string[]; onOpen: () => void }) {
  const preview = info ? previewText(info.request_preview) : item.source.trace_id ?? item.source.dataset_record_id ?? item.item_id;
  return (
    <tr className="clickable" onClick={onOpen} data-item-id={item.item_id}>
      <td className="num">{n}</td>
      <td className="preview">
        <button
          type="button"
          className="link"
          onClick={(e) => {
            e.stopPropagation();
            onOpen();
          }}
        >
          {truncate(preview, 110) || '(empty request)'}
        </button>
      </td>
      <td>
        <Badge tone={stateTone(item.state)}>{item.state}</Badge>
      </td>
      {reviewers.map((r) => (
        <td key={r} className="reviewer-col">
          {reviewMark(item.reviews?.find((x) => x.reviewer === r)?.state)}
        </td>
      ))}
    </tr>
  );
}

/** The assessment pop-up: the trace as reviewers see it, and behind the "Assessments" toggle
 *  every reviewer's assessments with their overridden history. */
function RequestPopup({ item, itemId, session, schemas, experimentId, onClose }: { item?: SessionItem; itemId: string; session: LabelingSession; schemas: Schema[]; experimentId: string; onClose: () => void }) {
  const traceId = item?.source.trace_id;
  const t = useAsync(async () => (traceId ? getTrace(traceId) : null), [traceId]);
  const [showAssess, setShowAssess] = useState(true);
  const view = useMemo(() => (t.data ? reviewView(t.data.spans ?? []) : null), [t.data]);
  const sessionSchemas = new Set(session.labeling_schemas?.map((x) => x.name));
  const assessments = (t.data?.trace_info.assessments ?? []).filter((a) => a.source?.source_type === 'HUMAN' || sessionSchemas.has(a.assessment_name));
  return (
    <Dialog
      title={item ? `Request ${(item.position ?? 0) + 1}` : 'Request'}
      wide="xl"
      onClose={onClose}
      className="request-popup"
      headerExtra={
        <>
          {item && <Badge tone={stateTone(item.state)}>{item.state}</Badge>}
          {traceId && (
            <Link className="btn btn-ghost btn-small" to={`/experiments/${encodeURIComponent(experimentId)}/traces?trace=${encodeURIComponent(traceId)}`}>
              View full trace
            </Link>
          )}
          <button type="button" className={`btn btn-small ${showAssess ? 'btn-primary' : 'btn-secondary'}`} aria-pressed={showAssess} onClick={() => setShowAssess((x) => !x)}>
            Assessments{assessments.length ? ` (${assessments.length})` : ''}
          </button>
        </>
      }
    >
      {!item && <EmptyState title="This request is not in the session" />}
      {item && !traceId && <div className="muted">This item comes from dataset record {item.source.dataset_record_id}.</div>}
      {t.loading && !t.data && traceId && <Spinner label="Loading trace…" />}
      {t.error ? <ErrorState error={t.error} onRetry={t.reload} /> : null}
      {t.data && view && (
        <div className={`popup-grid ${showAssess ? 'popup-grid-2' : ''}`}>
          <div className="popup-trace pane">
            <TraceContent inputs={view.inputs} outputs={view.outputs} docs={view.retriever_documents} />
          </div>
          {showAssess && (
            <div className="popup-assess pane" data-testid="assessments-panel">
              <h3 className="section-label">Assessments by reviewer</h3>
              <div className="muted small meta-line review-states">
                {(item?.reviews ?? []).map((r) => (
                  <span key={r.reviewer}>
                    {r.reviewer}: {r.state.toLowerCase().replace('_', ' ')}
                    {r.completed_time ? ` ${fmtTime(r.completed_time)}` : ''}
                  </span>
                ))}
              </div>
              <AssessmentsByReviewer assessments={assessments} schemas={schemas} empty="No reviewer has answered yet." />
            </div>
          )}
        </div>
      )}
      <span hidden>{itemId}</span>
    </Dialog>
  );
}
