// Labeling sessions: the list on the left, "Create session" (with the live label preview), the
// session page (requests table, per-reviewer progress, charts), Share, Sync, JSONL export, and
// the assessment pop-up of a request.
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import {
  addRecordsToSession,
  batchGetTraceInfos,
  createSession,
  deleteSession,
  getSession,
  getTrace,
  listSchemas,
  listSessionItems,
  listSessions,
  searchDatasets,
  sessionExportUrl,
  sessionStats,
  setAssignedUsers,
  syncSession,
} from '../api/endpoints';
import { ApiError, errorMessage } from '../api/client';
import type { LabelingSession, Schema, SessionItem, TraceInfo } from '../api/types';
import { AssessmentsByReviewer } from '../components/Assessments';
import { TraceContent } from '../components/Content';
import { LabelPreview } from '../components/SchemaWidget';
import { Badge, Button, Dialog, EmptyState, ErrorState, Field, InlineError, ProgressBar, Spinner, stateTone, toast, useAsync } from '../components/ui';
import { fmtTime, parseEmails, plural, previewText, truncate } from '../lib/format';
import { reviewView } from '../lib/otel';
import { deriveStats } from '../lib/stats';
import { bump } from '../lib/bus';
import { Link, navigate, setQuery, useLocation } from '../router';

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

function CreateSessionDialog({ experimentId, onClose, onCreated }: { experimentId: string; onClose: () => void; onCreated: (s: LabelingSession) => void }) {
  const schemas = useAsync(() => listSchemas(experimentId), [experimentId]);
  const datasets = useAsync(() => searchDatasets(experimentId).catch(() => []), [experimentId]);
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [datasetId, setDatasetId] = useState('');
  const [rpi, setRpi] = useState<string>('1');
  const [emails, setEmails] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [serverErr, setServerErr] = useState('');
  const pickedSchemas = useMemo(() => picked.map((n) => schemas.data?.find((s) => s.name === n)).filter(Boolean) as Schema[], [picked, schemas.data]);
  const toggle = (n: string) => setPicked((p) => (p.includes(n) ? p.filter((x) => x !== n) : [...p, n]));
  const submit = async () => {
    const e: Record<string, string> = {};
    if (!name.trim()) e.name = 'Give the session a name.';
    if (picked.length === 0) e.labeling_schemas = 'Pick at least one schema.';
    const em = parseEmails(emails);
    if (em.invalid.length) e.assigned_users = `Not an email: ${em.invalid.join(', ')}`;
    const n = rpi === 'all' ? 'all' : Number(rpi);
    if (n !== 'all' && (!Number.isInteger(n) || n < 1)) e.reviews_per_item = 'A whole number of at least 1, or "all".';
    setErrors(e);
    if (Object.keys(e).length) return;
    setBusy(true);
    setServerErr('');
    try {
      const s = await createSession(experimentId, { name: name.trim(), assigned_users: em.emails, labeling_schemas: picked.map((x) => ({ name: x })), reviews_per_item: n });
      if (datasetId) {
        try {
          await addRecordsToSession(s.labeling_session_id, datasetId);
        } catch (err) {
          toast(`Session created, but adding the dataset's records failed: ${errorMessage(err)}`, 'error');
        }
      }
      toast(`Session "${s.name}" created`);
      onCreated(s);
    } catch (err) {
      if (err instanceof ApiError && err.field) setErrors({ [err.field.split(/[.[]/)[0]]: err.message });
      else setServerErr(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="Create labeling session"
      wide
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" onClick={submit} disabled={busy}>
            {busy ? 'Creating…' : 'Create session'}
          </Button>
        </>
      }
    >
      <div className="create-session">
        <div className="create-form">
          <Field label="Name" htmlFor="cs-name" error={errors.name} hint="Names need not be unique; e.g. billing_review_march">
            <input id="cs-name" className="input" value={name} onChange={(e) => setName(e.target.value)} data-autofocus />
          </Field>
          <Field label="Evaluation dataset (optional)" htmlFor="cs-ds" hint="Its records are added to the session as items.">
            <select id="cs-ds" className="input" value={datasetId} onChange={(e) => setDatasetId(e.target.value)}>
              <option value="">None</option>
              {datasets.data?.map((d) => (
                <option key={d.dataset_id} value={d.dataset_id}>
                  {d.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Label schemas" error={errors.labeling_schemas}>
            {schemas.loading && <Spinner />}
            {schemas.error ? <InlineError>{errorMessage(schemas.error)}</InlineError> : null}
            <div className="schema-pick" role="group" aria-label="Label schemas">
              {schemas.data?.map((s) => (
                <label key={s.name} className="check">
                  <input type="checkbox" checked={picked.includes(s.name)} onChange={() => toggle(s.name)} />
                  <span>
                    <span className="strong">{s.title || s.name}</span> <code className="muted small">{s.name}</code> {s.builtin && <Badge>built-in</Badge>}
                  </span>
                </label>
              ))}
            </div>
          </Field>
          <Field label="Reviews per item" htmlFor="cs-rpi" error={errors.reviews_per_item} hint='How many reviewers must finish an item: 1, a number, or "all" assigned reviewers.'>
            <select id="cs-rpi" className="input input-short" value={rpi} onChange={(e) => setRpi(e.target.value)}>
              {['1', '2', '3', '4', '5'].map((x) => (
                <option key={x} value={x}>
                  {x}
                </option>
              ))}
              <option value="all">all</option>
            </select>
          </Field>
          <Field label="Reviewers (optional)" htmlFor="cs-users" error={errors.assigned_users} hint="Emails, separated by commas or new lines. You can also share later.">
            <textarea id="cs-users" className="textarea" rows={2} value={emails} onChange={(e) => setEmails(e.target.value)} placeholder="alice@example.com, bob@example.com" />
          </Field>
          <InlineError>{serverErr}</InlineError>
        </div>
        <div className="create-preview">
          <h3 className="section-label">Label preview</h3>
          <p className="muted small">What reviewers will see for each item:</p>
          <LabelPreview schemas={pickedSchemas} />
        </div>
      </div>
    </Dialog>
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

function ShareDialog({ session, onClose, onSaved }: { session: LabelingSession; onClose: () => void; onSaved: (s: LabelingSession) => void }) {
  const [list, setList] = useState<string[]>(session.assigned_users ?? []);
  const [draft, setDraft] = useState('');
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);
  const add = () => {
    const { emails, invalid } = parseEmails(draft);
    if (invalid.length) {
      setErr(`Not an email: ${invalid.join(', ')}`);
      return false;
    }
    setErr('');
    setList((l) => [...l, ...emails.filter((e) => !l.includes(e))]);
    setDraft('');
    return true;
  };
  const save = async () => {
    let final = list;
    if (draft.trim()) {
      const { emails, invalid } = parseEmails(draft);
      if (invalid.length) {
        setErr(`Not an email: ${invalid.join(', ')}`);
        return;
      }
      final = [...list, ...emails.filter((e) => !list.includes(e))];
    }
    setBusy(true);
    try {
      const s = await setAssignedUsers(session.labeling_session_id, final);
      toast(`Shared with ${plural(final.length, 'reviewer')}`);
      bump('notifications'); // sharing with myself notifies me: the bell should show it now
      onSaved(s);
    } catch (e) {
      setErr(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const link = session.url || `${window.location.origin}/review/${session.labeling_session_id}`;
  return (
    <Dialog
      title={`Share “${session.name}”`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" onClick={save} disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </Button>
        </>
      }
    >
      <p className="muted">Reviewers are notified and get access to this session in the Review App.</p>
      <Field label="Add reviewers" htmlFor="share-add" error={err} hint="Type emails and press Enter; commas separate several.">
        <div className="row">
          <input
            id="share-add"
            className="input"
            value={draft}
            placeholder="name@example.com"
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                add();
              }
            }}
          />
          <Button onClick={add}>Add</Button>
        </div>
      </Field>
      {list.length === 0 ? (
        <div className="muted">No reviewers yet.</div>
      ) : (
        <ul className="email-list" aria-label="Reviewers">
          {list.map((e) => (
            <li key={e}>
              <span>{e}</span>
              <button type="button" className="btn btn-ghost btn-icon" aria-label={`Remove ${e}`} onClick={() => setList((l) => l.filter((x) => x !== e))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="share-link">
        <span className="muted small">Review link</span>
        <code>{link}</code>
      </div>
    </Dialog>
  );
}

function SyncDialog({ session, experimentId, onClose }: { session: LabelingSession; experimentId: string; onClose: () => void }) {
  const datasets = useAsync(() => searchDatasets(experimentId).catch(() => []), [experimentId]);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState('');
  const [res, setRes] = useState<{ dataset_id: string; inserted: number; updated: number } | null>(null);
  const run = async () => {
    if (!name.trim()) {
      setErr('Name the dataset (it is created when it does not exist).');
      return;
    }
    setBusy(true);
    setErr('');
    try {
      setRes(await syncSession(session.labeling_session_id, name.trim()));
    } catch (e) {
      setErr(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="Sync to evaluation dataset"
      onClose={onClose}
      footer={
        res ? (
          <>
            <Link className="btn btn-secondary" to={`/experiments/${encodeURIComponent(experimentId)}/datasets/${encodeURIComponent(res.dataset_id)}`}>
              Open dataset
            </Link>
            <Button variant="primary" onClick={onClose}>
              Done
            </Button>
          </>
        ) : (
          <>
            <Button onClick={onClose}>Cancel</Button>
            <Button variant="primary" onClick={run} disabled={busy}>
              {busy ? 'Syncing…' : 'Sync'}
            </Button>
          </>
        )
      }
    >
      <p className="muted">
        Copies the session's expectations into a dataset: records with the same inputs are updated (same-named expectations overwritten), others are added. Feedback is not synced.
      </p>
      <Field label="Dataset name" htmlFor="sync-name" error={err}>
        <input id="sync-name" className="input" list="sync-datasets" value={name} onChange={(e) => setName(e.target.value)} disabled={!!res} onKeyDown={(e) => e.key === 'Enter' && run()} />
        <datalist id="sync-datasets">
          {datasets.data?.map((d) => (
            <option key={d.dataset_id} value={d.name} />
          ))}
        </datalist>
      </Field>
      {res && (
        <div className="ok-text" role="status" data-testid="sync-result">
          Synced: {plural(res.inserted, 'record')} added, {plural(res.updated, 'record')} updated.
        </div>
      )}
    </Dialog>
  );
}
