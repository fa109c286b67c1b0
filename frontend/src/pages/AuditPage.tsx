// Audit log (server admins): who changed what, newest first, a page at a time; each event's
// before and after states open below it.
import { Fragment, useState } from 'react';
import { ApiError } from '../api/client';
import { listAuditEvents } from '../api/endpoints';
import type { AuditEvent } from '../api/types';
import { Button, EmptyState, ErrorState, Spinner, useAsync } from '../components/ui';
import { useIdentity } from '../App';
import { auditPage, changes, changeSummary, prettyJSON } from '../lib/audit';
import { fmtTime, plural } from '../lib/format';
import { setQuery, useLocation } from '../router';

export const AUDIT_PAGE_SIZE = 50;

export default function AuditPage() {
  const { me } = useIdentity();
  if (!me.user.admin) {
    return (
      <div className="page page-narrow">
        <EmptyState title="The audit log is for server admins">Ask an admin of this Assay server if you need to know who changed what.</EmptyState>
      </div>
    );
  }
  return <AuditLog />;
}

function AuditLog() {
  const { search } = useLocation();
  const before = Number(search.get('before')) || 0;
  const [newer, setNewer] = useState<number[]>([]); // the cursors of the pages before this one
  const page = useAsync(async () => auditPage(await listAuditEvents(AUDIT_PAGE_SIZE + 1, before), AUDIT_PAGE_SIZE), [before]);
  const [open, setOpen] = useState<Set<number>>(new Set());
  const toggle = (id: number) =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  const go = (b: number) => {
    setOpen(new Set());
    setQuery({ before: b ? String(b) : null }, { replace: false });
  };
  const forbidden = page.error instanceof ApiError && page.error.status === 403;
  const events = page.data?.events;

  return (
    <div className="page">
      <div className="page-header">
        <h1>Audit log</h1>
        <div className="page-actions">
          <Button onClick={page.reload} disabled={page.loading}>
            Refresh
          </Button>
        </div>
      </div>
      <p className="muted page-intro">Changes to labeling sessions, items and assessments on this server, newest first. Open an event to see its state before and after.</p>
      {page.loading && !page.data && <Spinner label="Loading the audit log…" />}
      {forbidden ? (
        <EmptyState title="The audit log is for server admins" />
      ) : page.error ? (
        <ErrorState title="Could not load the audit log" error={page.error} onRetry={page.reload} />
      ) : null}
      {events && events.length === 0 && <EmptyState title={before ? 'No older events' : 'Nothing has been recorded yet'}>{before ? null : 'Events appear here as people create, share, sync and review labeling sessions.'}</EmptyState>}
      {events && events.length > 0 && (
        <>
          <div className={`table-wrap ${page.loading ? 'is-loading' : ''}`}>
            <table className="table audit-table" data-testid="audit-table">
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Actor</th>
                  <th>Action</th>
                  <th>Object</th>
                  <th>Change</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {events.map((e) => {
                  const isOpen = open.has(e.id);
                  const hasDetail = e.before !== undefined || e.after !== undefined;
                  return (
                    <Fragment key={e.id}>
                      <tr data-event={e.action} className={isOpen ? 'row-on' : ''}>
                        <td className="nowrap small" title={new Date(e.at).toLocaleString()}>
                          {fmtTime(e.at)}
                        </td>
                        <td className="nowrap">{e.actor || <span className="muted">system</span>}</td>
                        <td className="nowrap">
                          <code>{e.action}</code>
                        </td>
                        <td className="small">
                          <span className="muted">{e.object_type.replace(/_/g, ' ')}</span>{' '}
                          <code className="object-id" title={e.object_id}>
                            {e.object_id.length > 14 ? `${e.object_id.slice(0, 12)}…` : e.object_id}
                          </code>
                        </td>
                        <td className="muted small">{changeSummary(e)}</td>
                        <td className="nowrap actions-cell">
                          {hasDetail && (
                            <Button variant="ghost" className="btn-small" aria-expanded={isOpen} aria-controls={`audit-${e.id}`} onClick={() => toggle(e.id)}>
                              {isOpen ? 'Hide' : 'Details'}
                            </Button>
                          )}
                        </td>
                      </tr>
                      {isOpen && (
                        <tr className="audit-detail-row">
                          <td colSpan={6} id={`audit-${e.id}`}>
                            <AuditDetail event={e} />
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  );
                })}
              </tbody>
            </table>
          </div>
          <div className="pager">
            <Button
              disabled={!before}
              onClick={() => {
                go(newer.length ? newer[newer.length - 1] : 0);
                setNewer((s) => s.slice(0, -1));
              }}
            >
              ← Newer
            </Button>
            <span className="muted">
              {plural(events.length, 'event')}
              {events.length > 0 && ` · #${events[0].id}–#${events[events.length - 1].id}`}
            </span>
            <Button
              disabled={!page.data?.olderBefore}
              onClick={() => {
                setNewer((s) => [...s, before]);
                go(page.data!.olderBefore!);
              }}
            >
              Older →
            </Button>
          </div>
        </>
      )}
    </div>
  );
}

function AuditDetail({ event }: { event: AuditEvent }) {
  const cs = event.before !== undefined && event.after !== undefined ? changes(event.before, event.after) : [];
  return (
    <div className="audit-detail">
      <div className="muted small audit-object">
        {event.object_type.replace(/_/g, ' ')} <code>{event.object_id}</code> · event #{event.id} · {new Date(event.at).toLocaleString()}
      </div>
      {cs.length > 0 && (
        <ul className="audit-changes">
          {cs.map((c) => (
            <li key={c.key}>
              <span className="muted small">{c.kind}</span> <code>{c.key}</code>
            </li>
          ))}
        </ul>
      )}
      <div className="audit-json">
        <div>
          <h3 className="section-label">Before</h3>
          <pre className="json" data-testid="audit-before">
            {event.before === undefined || event.before === null ? '— (not recorded)' : prettyJSON(event.before)}
          </pre>
        </div>
        <div>
          <h3 className="section-label">After</h3>
          <pre className="json" data-testid="audit-after">
            {event.after === undefined || event.after === null ? '— (none: deleted or not recorded)' : prettyJSON(event.after)}
          </pre>
        </div>
      </div>
    </div>
  );
}
