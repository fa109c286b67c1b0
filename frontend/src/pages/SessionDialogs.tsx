// The labeling-session dialogs: create (with the label preview), share, sync.
import { useMemo, useState } from 'react';
import {
  addRecordsToSession,
  createSession,
  listSchemas,
  searchDatasets,
  setAssignedUsers,
  syncSession,
} from '../api/endpoints';
import { ApiError, errorMessage } from '../api/client';
import type { LabelingSession, Schema } from '../api/types';
import { LabelPreview } from '../components/SchemaWidget';
import { Badge, Button, Dialog, Field, InlineError, Spinner, toast, useAsync } from '../components/ui';
import { parseEmails, plural } from '../lib/format';
import { bump } from '../lib/bus';
import { Link } from '../router';

export function CreateSessionDialog({ experimentId, onClose, onCreated }: { experimentId: string; onClose: () => void; onCreated: (s: LabelingSession) => void }) {
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

export function ShareDialog({ session, onClose, onSaved }: { session: LabelingSession; onClose: () => void; onSaved: (s: LabelingSession) => void }) {
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

export function SyncDialog({ session, experimentId, onClose }: { session: LabelingSession; experimentId: string; onClose: () => void }) {
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
