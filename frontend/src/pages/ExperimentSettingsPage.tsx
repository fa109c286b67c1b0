// Experiment settings → Permissions: who may read, edit or manage the experiment. Only its
// managers (and server admins) may see the list; others get a plain explanation. Reviewer
// grants come from a session's Share dialog and are changed there, not here.
import { useMemo, useState } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { getExperiment, grantPermission, listGrants, listSessions, revokeGrant } from '../api/endpoints';
import type { Grant, PermissionLevel } from '../api/types';
import { Badge, Button, Dialog, EmptyState, ErrorState, InlineError, Spinner, toast, useAsync } from '../components/ui';
import { useIdentity } from '../App';
import { fmtTime } from '../lib/format';
import { canRevokeHere, grantee, isPending, isReviewerGrant, LEVEL_HELP, LEVELS, sortGrants, sourceLabel, validateGrant } from '../lib/permissions';
import { Link } from '../router';

const LEVEL_TONE: Record<string, 'accent' | 'info' | 'neutral'> = { MANAGE: 'accent', EDIT: 'info', READ: 'neutral' };

export default function ExperimentSettingsPage({ experimentId }: { experimentId: string }) {
  const exp = useAsync(() => getExperiment(experimentId), [experimentId]);
  return (
    <div className="page page-narrow">
      <div className="page-header">
        <div>
          <div className="muted small">Experiment settings</div>
          <h1>{exp.data?.name ?? (exp.loading ? ' ' : `Experiment ${experimentId}`)}</h1>
          {exp.data && (
            <div className="muted small meta-line">
              <span>
                ID <code>{exp.data.experiment_id}</code>
              </span>
              {exp.data.creation_time ? <span>created {fmtTime(exp.data.creation_time)}</span> : null}
            </div>
          )}
        </div>
        <div className="page-actions">
          <Link to="/experiments" className="btn btn-secondary">
            All experiments
          </Link>
        </div>
      </div>
      {exp.error && !(exp.error instanceof ApiError && exp.error.status === 403) ? (
        <ErrorState title="Could not load this experiment" error={exp.error} onRetry={exp.reload} />
      ) : (
        <Permissions experimentId={experimentId} />
      )}
    </div>
  );
}

function Permissions({ experimentId }: { experimentId: string }) {
  const { me } = useIdentity();
  const grants = useAsync(() => listGrants(experimentId), [experimentId]);
  const forbidden = grants.error instanceof ApiError && grants.error.status === 403;
  // Session names for reviewer grants (READ is enough; a manager has it).
  const hasReviewers = !!grants.data?.some(isReviewerGrant);
  const sessions = useAsync(async () => (hasReviewers ? listSessions(experimentId) : []), [experimentId, hasReviewers]);
  const sessionName = useMemo(() => new Map((sessions.data ?? []).map((s) => [s.labeling_session_id, s.name])), [sessions.data]);
  const [revoking, setRevoking] = useState<Grant | null>(null);
  const rows = useMemo(() => sortGrants(grants.data ?? [], me.user), [grants.data, me.user]);

  return (
    <section aria-labelledby="perm-h">
      <h2 id="perm-h" className="h2">
        Permissions
      </h2>
      {forbidden ? (
        <div className="state state-empty" role="status" data-testid="permissions-forbidden">
          <div className="state-title">You can’t manage access to this experiment</div>
          <div className="state-body">
            Only people with <strong>MANAGE</strong> permission on it (and server admins) can see and change who has access. Ask one of its managers to grant you MANAGE.
          </div>
        </div>
      ) : (
        <>
          <p className="muted page-intro">
            Give people access by email; it applies on their next request, or when they first sign in. Reviewers added in a session’s <strong>Share</strong> dialog are listed here too.
          </p>
          <GrantForm
            experimentId={experimentId}
            onGranted={(gs) => {
              grants.setData(gs);
            }}
          />
          {grants.loading && !grants.data && <Spinner label="Loading permissions…" />}
          {grants.error && !forbidden ? <ErrorState title="Could not load the permissions" error={grants.error} onRetry={grants.reload} /> : null}
          {grants.data && grants.data.length === 0 && <EmptyState title="Nobody has been granted access yet">Server admins can always see every experiment.</EmptyState>}
          {grants.data && grants.data.length > 0 && (
            <div className="table-wrap">
              <table className="table" data-testid="grants-table">
                <thead>
                  <tr>
                    <th>Who</th>
                    <th>Permission</th>
                    <th>Source</th>
                    <th>Since</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {rows.map((g) => {
                    const who = grantee(g, me.user);
                    const mine = g.user_id === me.user.id || (!!g.email && g.email === me.user.email.toLowerCase());
                    const sname = g.session_id ? sessionName.get(g.session_id) : undefined;
                    return (
                      <tr key={g.grant_id} data-grant={who} data-reason={g.reason}>
                        <td>
                          <span className="strong">{who}</span> {mine && <span className="muted small">(you)</span>}{' '}
                          {isPending(g) && !mine && (
                            <Badge tone="warn" title="Takes effect when this email first signs in">
                              pending first sign-in
                            </Badge>
                          )}
                        </td>
                        <td>
                          <Badge tone={LEVEL_TONE[g.permission] ?? 'neutral'}>{g.permission}</Badge>
                        </td>
                        <td className="small">
                          {isReviewerGrant(g) && g.session_id ? (
                            <>
                              Reviewer of{' '}
                              <Link to={`/experiments/${encodeURIComponent(experimentId)}/sessions/${encodeURIComponent(g.session_id)}`}>{sname ?? `session ${g.session_id.slice(0, 8)}…`}</Link>
                            </>
                          ) : (
                            sourceLabel(g)
                          )}
                        </td>
                        <td className="nowrap muted small">{fmtTime(g.created_at)}</td>
                        <td className="nowrap actions-cell">
                          {canRevokeHere(g) ? (
                            <Button variant="ghost" className="btn-small" onClick={() => setRevoking(g)} aria-label={`Revoke ${g.permission} from ${who}`}>
                              Revoke
                            </Button>
                          ) : (
                            <span className="muted small" title="Remove the reviewer in the session's Share dialog">
                              via Share
                            </span>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
          <dl className="legend muted small">
            {LEVELS.map((l) => (
              <div key={l}>
                <dt>
                  <Badge tone={LEVEL_TONE[l]}>{l}</Badge>
                </dt>
                <dd>{LEVEL_HELP[l]}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
      {revoking && (
        <RevokeDialog
          experimentId={experimentId}
          grant={revoking}
          who={grantee(revoking, me.user)}
          self={revoking.user_id === me.user.id}
          onClose={() => setRevoking(null)}
          onDone={() => {
            setRevoking(null);
            grants.reload();
          }}
        />
      )}
    </section>
  );
}

function GrantForm({ experimentId, onGranted }: { experimentId: string; onGranted: (gs: Grant[]) => void }) {
  const [email, setEmail] = useState('');
  const [level, setLevel] = useState<PermissionLevel>('READ');
  const [errs, setErrs] = useState<{ email?: string; permission?: string; other?: string }>({});
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const v = validateGrant(email, level);
    setErrs(v);
    if (v.email || v.permission) return;
    setBusy(true);
    try {
      const gs = await grantPermission(experimentId, email.trim().toLowerCase(), level);
      toast(`${email.trim().toLowerCase()} can now ${level === 'READ' ? 'read' : level === 'EDIT' ? 'edit' : 'manage'} this experiment`);
      setEmail('');
      onGranted(gs);
    } catch (e) {
      const f = e instanceof ApiError ? e.field : undefined;
      setErrs(f === 'email' ? { email: errorMessage(e) } : f === 'permission' ? { permission: errorMessage(e) } : { other: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="card grant-form"
      noValidate
      aria-label="Grant access"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div className="grant-row">
        <div className={`field grant-email ${errs.email ? 'field-invalid' : ''}`}>
          <label className="field-label" htmlFor="grant-email">
            Email
          </label>
          <input
            id="grant-email"
            className="input"
            type="email"
            autoComplete="off"
            placeholder="name@example.com"
            value={email}
            aria-invalid={!!errs.email}
            onChange={(e) => {
              setEmail(e.target.value);
              if (errs.email || errs.other) setErrs({});
            }}
          />
        </div>
        <div className="field">
          <label className="field-label" htmlFor="grant-level">
            Permission
          </label>
          <select id="grant-level" className="input" value={level} onChange={(e) => setLevel(e.target.value as PermissionLevel)}>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </div>
        <Button variant="primary" type="submit" disabled={busy} className="grant-submit">
          {busy ? 'Granting…' : 'Grant'}
        </Button>
      </div>
      {errs.email || errs.permission ? (
        <div className="field-error" role="alert">
          {errs.email ?? errs.permission}
        </div>
      ) : (
        <div className="field-hint">
          <strong>{level}</strong>: {LEVEL_HELP[level]}.
        </div>
      )}
      {errs.other && <InlineError>{errs.other}</InlineError>}
    </form>
  );
}

function RevokeDialog({ experimentId, grant, who, self, onClose, onDone }: { experimentId: string; grant: Grant; who: string; self: boolean; onClose: () => void; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState('');
  return (
    <Dialog
      title={`Revoke ${grant.permission} from ${who}?`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button
            variant="danger"
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              setErr('');
              try {
                await revokeGrant(experimentId, grant.grant_id);
                toast(`Revoked ${grant.permission} from ${who}`);
                onDone();
              } catch (e) {
                setErr(errorMessage(e));
                setBusy(false);
              }
            }}
          >
            {busy ? 'Revoking…' : 'Revoke'}
          </Button>
        </>
      }
    >
      <p>
        {who} loses this grant at once. Other grants they hold on this experiment (for example as a session’s reviewer) stay.
      </p>
      {self && <p className="strong">This is your own grant: unless you are a server admin, you may lose access to this page.</p>}
      <InlineError>{err}</InlineError>
    </Dialog>
  );
}
