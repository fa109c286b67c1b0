// Review App home: the sessions assigned to me, with my progress.
import { myReviewSessions } from '../api/endpoints';
import { EmptyState, ErrorState, ProgressBar, Spinner, useAsync } from '../components/ui';
import { Link } from '../router';
import { useIdentity } from '../App';
import { plural } from '../lib/format';

export default function ReviewHome() {
  const { me } = useIdentity();
  const sessions = useAsync(() => myReviewSessions(), []);
  return (
    <div className="page page-narrow">
      <div className="page-header">
        <h1>My review sessions</h1>
      </div>
      <p className="muted page-intro">
        Signed in as <strong>{me.user.email}</strong>. Open a session to review its items one at a time; press <kbd>?</kbd> there for keyboard shortcuts.
      </p>
      {sessions.loading && !sessions.data && <Spinner />}
      {sessions.error ? <ErrorState error={sessions.error} onRetry={sessions.reload} /> : null}
      {sessions.data && sessions.data.length === 0 && (
        <EmptyState title="Nothing to review">No labeling session is assigned to {me.user.email} yet. You will get a notice when someone shares one with you.</EmptyState>
      )}
      <ul className="review-cards">
        {sessions.data?.map((s) => {
          const p = s.progress;
          const done = p.remaining === 0;
          return (
            <li key={s.labeling_session_id} className="card review-card" data-testid="my-session">
              <div className="review-card-main">
                <div className="strong review-card-title">{s.name}</div>
                <div className="muted small">
                  {plural(p.mine_done, 'item')} done{p.mine_skipped ? `, ${p.mine_skipped} skipped` : ''} · {done ? 'nothing left for you' : `${p.remaining} left`} of {p.total}
                </div>
                <ProgressBar value={p.mine_done + p.mine_skipped} max={Math.max(p.total, p.mine_done + p.mine_skipped + p.remaining)} label={`Progress in ${s.name}`} />
              </div>
              <Link className={`btn ${done ? 'btn-secondary' : 'btn-primary'}`} to={`/review/${encodeURIComponent(s.labeling_session_id)}`}>
                {done ? 'Review again' : p.mine_done + p.mine_skipped > 0 ? 'Continue' : 'Start'}
              </Link>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
