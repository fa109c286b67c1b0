// API tokens: my tokens for scripts and the MLflow client; create one (its secret is shown
// once, with a copy button and how to use it), revoke one.
import { useState } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { createToken, listTokens, revokeToken } from '../api/endpoints';
import type { TokenInfo } from '../api/types';
import { Badge, Button, Dialog, EmptyState, ErrorState, Field, InlineError, Spinner, toast, useAsync } from '../components/ui';
import { useIdentity } from '../App';
import { fmtTime } from '../lib/format';
import { EXPIRY_CHOICES, expiryFor, mlflowUsage, tokenState, validateTokenName, type ExpiryChoice } from '../lib/tokens';

export default function TokensPage() {
  const { me } = useIdentity();
  const tokens = useAsync(() => listTokens(), []);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<TokenInfo | null>(null);
  return (
    <div className="page page-narrow">
      <div className="page-header">
        <h1>API tokens</h1>
        <div className="page-actions">
          <Button variant="primary" onClick={() => setCreating(true)}>
            Create token
          </Button>
        </div>
      </div>
      <p className="muted page-intro">
        A token lets a script or the MLflow client act as <strong>{me.user.email}</strong>, with your permissions. Keep it secret like a password, and revoke it when it is no longer needed.
      </p>
      {tokens.loading && !tokens.data && <Spinner label="Loading tokens…" />}
      {tokens.error ? <ErrorState title="Could not load your tokens" error={tokens.error} onRetry={tokens.reload} /> : null}
      {tokens.data && tokens.data.length === 0 && (
        <EmptyState title="No API tokens" action={<Button onClick={() => setCreating(true)}>Create token</Button>}>
          Create one to log traces from your application or to use <code>mlflow</code> against this server.
        </EmptyState>
      )}
      {tokens.data && tokens.data.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="tokens-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Created</th>
                <th>Expires</th>
                <th>Last used</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((t) => {
                const st = tokenState(t);
                return (
                  <tr key={t.id} data-token={t.name}>
                    <td>
                      <span className="strong">{t.name}</span> {st === 'expired' && <Badge tone="warn">expired</Badge>}
                    </td>
                    <td className="nowrap muted small">{fmtTime(t.created_at)}</td>
                    <td className="nowrap small">{t.expires_at ? fmtTime(t.expires_at) : <span className="muted">never</span>}</td>
                    <td className="nowrap muted small">{t.last_used_at ? fmtTime(t.last_used_at) : 'never'}</td>
                    <td className="nowrap actions-cell">
                      <Button variant="ghost" className="btn-small" onClick={() => setRevoking(t)} aria-label={`Revoke ${t.name}`}>
                        Revoke
                      </Button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {creating && (
        <CreateTokenDialog
          onClose={() => setCreating(false)}
          onCreated={() => tokens.reload()}
        />
      )}
      {revoking && (
        <RevokeTokenDialog
          token={revoking}
          onClose={() => setRevoking(null)}
          onDone={() => {
            setRevoking(null);
            tokens.reload();
          }}
        />
      )}
    </div>
  );
}

function CreateTokenDialog({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [choice, setChoice] = useState<ExpiryChoice>('90d');
  const [date, setDate] = useState('');
  const [touched, setTouched] = useState(false);
  const [serverErr, setServerErr] = useState('');
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<{ token: string; info: TokenInfo } | null>(null);
  const nameErr = validateTokenName(name);
  const exp = expiryFor(choice, date);

  const submit = async () => {
    setTouched(true);
    if (nameErr || exp.error) return;
    setBusy(true);
    setServerErr('');
    try {
      const r = await createToken(name.trim(), exp.expiresAt);
      setSecret({ token: r.token, info: r.token_info });
      onCreated();
    } catch (e) {
      setServerErr(e instanceof ApiError && e.status === 403 ? `${errorMessage(e)}.` : errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  if (secret) {
    return (
      <Dialog
        key="secret"
        title={`Token “${secret.info.name}” created`}
        onClose={onClose}
        closeOnBackdrop={false}
        footer={
          <Button variant="primary" onClick={onClose}>
            Done
          </Button>
        }
      >
        <TokenSecret token={secret.token} expiresAt={secret.info.expires_at} />
      </Dialog>
    );
  }
  return (
    <Dialog
      title="Create API token"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form="token-form" disabled={busy}>
            {busy ? 'Creating…' : 'Create token'}
          </Button>
        </>
      }
    >
      <form
        id="token-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Field label="Name" htmlFor="token-name" error={touched ? nameErr : null} hint="What will use it, e.g. support-bot on prod-1">
          <input id="token-name" className="input" value={name} maxLength={100} autoComplete="off" onChange={(e) => setName(e.target.value)} data-autofocus />
        </Field>
        <Field label="Expires" htmlFor="token-expiry" error={touched && choice === 'custom' ? exp.error : null} hint={choice === 'never' ? 'The token works until you revoke it.' : exp.expiresAt ? `Stops working ${new Date(exp.expiresAt).toLocaleString()}.` : undefined}>
          <div className="row">
            <select id="token-expiry" className="input" value={choice} onChange={(e) => setChoice(e.target.value as ExpiryChoice)}>
              {EXPIRY_CHOICES.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
            {choice === 'custom' && <input className="input" type="date" aria-label="Expiry date" value={date} onChange={(e) => setDate(e.target.value)} />}
          </div>
        </Field>
        <InlineError>{serverErr}</InlineError>
      </form>
    </Dialog>
  );
}

/** The secret, shown this once, with a copy button and how to use it. */
export function TokenSecret({ token, expiresAt }: { token: string; expiresAt?: string | null }) {
  const usage = mlflowUsage(token, window.location.origin);
  return (
    <div className="token-secret">
      <p className="notice notice-warn" role="status">
        Copy the token now: it is shown only this once. If you lose it, revoke it and create another.
      </p>
      <div className="secret-row">
        <code className="secret" data-testid="token-secret">
          {token}
        </code>
        <CopyButton text={token} label="Copy token" />
      </div>
      {expiresAt && <p className="muted small">Expires {new Date(expiresAt).toLocaleString()}.</p>}
      <h3 className="section-label">Use it with MLflow</h3>
      <div className="secret-row">
        <pre className="json usage" data-testid="token-usage">
          {usage}
        </pre>
        <CopyButton text={usage} label="Copy" />
      </div>
      <p className="muted small">
        Other clients send it as <code>Authorization: Bearer …</code>.
      </p>
    </div>
  );
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard API (insecure origin, permission): copy through a selected text area.
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    ta.remove();
    return ok;
  }
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState<'ok' | 'fail' | null>(null);
  return (
    <Button
      className="btn-small copy-button"
      onClick={async () => {
        const ok = await copyText(text);
        setDone(ok ? 'ok' : 'fail');
        if (!ok) toast('Could not copy: select the text and copy it yourself', 'error');
        window.setTimeout(() => setDone(null), 2000);
      }}
    >
      {done === 'ok' ? 'Copied ✓' : label}
    </Button>
  );
}

function RevokeTokenDialog({ token, onClose, onDone }: { token: TokenInfo; onClose: () => void; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState('');
  return (
    <Dialog
      title={`Revoke “${token.name}”?`}
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
                await revokeToken(token.id);
                toast(`Token “${token.name}” revoked`);
                onDone();
              } catch (e) {
                setErr(errorMessage(e));
                setBusy(false);
              }
            }}
          >
            {busy ? 'Revoking…' : 'Revoke token'}
          </Button>
        </>
      }
    >
      <p>Anything still using this token stops working at once. This cannot be undone.</p>
      <InlineError>{err}</InlineError>
    </Dialog>
  );
}
