// Experiments: every experiment the caller can read (the server filters), create one (and
// switch to it), rename one, and the way to each experiment's settings and permissions.
import { useMemo, useState } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { createExperiment, renameExperiment, searchExperiments } from '../api/endpoints';
import type { Experiment } from '../api/types';
import { Badge, Button, Dialog, EmptyState, ErrorState, Field, InlineError, Spinner, toast, useAsync } from '../components/ui';
import { bump, useVersion } from '../lib/bus';
import { validateExperimentName } from '../lib/experiments';
import { fmtTime, plural } from '../lib/format';
import { LAST_EXP } from '../App';
import { Link, navigate, setQuery, useLocation } from '../router';

export default function ExperimentsPage() {
  const { search } = useLocation();
  const version = useVersion('experiments');
  const exps = useAsync(() => searchExperiments(), [version]);
  const [q, setQ] = useState('');
  const [renaming, setRenaming] = useState<Experiment | null>(null);
  const creating = search.get('new') === '1';
  const current = localStorage.getItem(LAST_EXP);
  const shown = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return (exps.data ?? []).filter((e) => !needle || e.name.toLowerCase().includes(needle) || e.experiment_id === needle);
  }, [exps.data, q]);
  const names = (exps.data ?? []).map((e) => e.name);
  const openCreate = () => setQuery({ new: '1' }, { replace: false });

  return (
    <div className="page">
      <div className="page-header">
        <h1>Experiments</h1>
        <div className="page-actions">
          <Button variant="primary" onClick={openCreate}>
            New experiment
          </Button>
        </div>
      </div>
      <p className="muted page-intro">The experiments you can read. Each holds its own traces, labeling sessions, label schemas and datasets.</p>
      {exps.loading && !exps.data && <Spinner label="Loading experiments…" />}
      {exps.error ? <ErrorState title="Could not load the experiments" error={exps.error} onRetry={exps.reload} /> : null}
      {exps.data && exps.data.length === 0 && (
        <EmptyState title="No experiments you can read" action={<Button variant="primary" onClick={openCreate}>New experiment</Button>}>
          Create one to log traces into, or ask the manager of an existing experiment to give you access.
        </EmptyState>
      )}
      {exps.data && exps.data.length > 0 && (
        <>
          {exps.data.length > 8 && (
            <div className="filter-bar">
              <input className="input" type="search" aria-label="Find an experiment" placeholder="Find by name or id" value={q} onChange={(e) => setQ(e.target.value)} />
            </div>
          )}
          <div className="table-wrap">
            <table className="table" data-testid="experiments-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th className="num">ID</th>
                  <th>Created</th>
                  <th>Updated</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {shown.map((e) => {
                  const base = `/experiments/${encodeURIComponent(e.experiment_id)}`;
                  return (
                    <tr key={e.experiment_id} data-experiment={e.name}>
                      <td>
                        <Link to={`${base}/traces`} className="strong name-link">
                          {e.name}
                        </Link>{' '}
                        {e.experiment_id === current && <Badge tone="info">current</Badge>}
                      </td>
                      <td className="num muted">{e.experiment_id}</td>
                      <td className="nowrap muted small">{fmtTime(e.creation_time)}</td>
                      <td className="nowrap muted small">{fmtTime(e.last_update_time)}</td>
                      <td className="nowrap actions-cell">
                        <Button variant="ghost" className="btn-small" onClick={() => setRenaming(e)} aria-label={`Rename ${e.name}`}>
                          Rename
                        </Button>
                        <Link to={`${base}/settings`} className="btn btn-ghost btn-small" aria-label={`Permissions of ${e.name}`}>
                          Permissions
                        </Link>
                      </td>
                    </tr>
                  );
                })}
                {shown.length === 0 && (
                  <tr>
                    <td colSpan={5} className="muted">
                      No experiment matches “{q}”.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
          <p className="muted small table-foot">{plural(exps.data.length, 'experiment')}</p>
        </>
      )}
      {creating && (
        <NameDialog
          title="New experiment"
          submitLabel="Create experiment"
          hint="Traces are logged into an experiment by its name or id (MLflow's set_experiment)."
          taken={names}
          onClose={() => setQuery({ new: null }, { replace: true })}
          onSubmit={async (name) => {
            const { experiment_id } = await createExperiment(name);
            localStorage.setItem(LAST_EXP, experiment_id);
            bump('experiments');
            toast(`Experiment “${name}” created`);
            navigate(`/experiments/${encodeURIComponent(experiment_id)}/traces`, { replace: true });
          }}
        />
      )}
      {renaming && (
        <NameDialog
          title={`Rename “${renaming.name}”`}
          submitLabel="Rename"
          initial={renaming.name}
          taken={names}
          onClose={() => setRenaming(null)}
          onSubmit={async (name) => {
            await renameExperiment(renaming.experiment_id, name);
            bump('experiments');
            toast(`Renamed to “${name}”`);
            setRenaming(null);
          }}
        />
      )}
    </div>
  );
}

function NameDialog({
  title,
  submitLabel,
  initial = '',
  hint,
  taken,
  onClose,
  onSubmit,
}: {
  title: string;
  submitLabel: string;
  initial?: string;
  hint?: string;
  taken: string[];
  onClose: () => void;
  onSubmit: (name: string) => Promise<void>;
}) {
  const [name, setName] = useState(initial);
  const [touched, setTouched] = useState(false);
  const [serverErr, setServerErr] = useState<{ field?: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const localErr = validateExperimentName(name, taken, initial || undefined);
  const unchanged = !!initial && name.trim() === initial;
  const submit = async () => {
    setTouched(true);
    if (localErr || unchanged) return;
    setBusy(true);
    setServerErr(null);
    try {
      await onSubmit(name.trim());
    } catch (e) {
      const forbidden = e instanceof ApiError && e.status === 403;
      setServerErr({
        field: e instanceof ApiError && (e.field === 'name' || e.field === 'new_name' || e.code === 'RESOURCE_ALREADY_EXISTS') ? 'name' : undefined,
        message: forbidden ? `${errorMessage(e)} Renaming needs EDIT permission on the experiment.` : errorMessage(e),
      });
    } finally {
      setBusy(false);
    }
  };
  const fieldErr = (touched ? localErr : null) ?? (serverErr?.field === 'name' ? serverErr.message : null);
  return (
    <Dialog
      title={title}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form="exp-name-form" disabled={busy || unchanged}>
            {busy ? 'Saving…' : submitLabel}
          </Button>
        </>
      }
    >
      <form
        id="exp-name-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Field label="Name" htmlFor="exp-name" error={fieldErr} hint={hint}>
          <input
            id="exp-name"
            className="input"
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              setServerErr(null);
            }}
            placeholder="support-bot"
            autoComplete="off"
            data-autofocus
          />
        </Field>
        {serverErr && serverErr.field !== 'name' && <InlineError>{serverErr.message}</InlineError>}
      </form>
    </Dialog>
  );
}
