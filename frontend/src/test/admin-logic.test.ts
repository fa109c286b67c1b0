import { describe, expect, it } from 'vitest';
import type { AuditEvent, Grant, TokenInfo } from '../api/types';
import { appPathFromLink, badgeText, timeAgo, unreadCount } from '../lib/notifications';
import { expiryFor, mlflowUsage, tokenState, validateTokenName } from '../lib/tokens';
import { auditPage, brief, changes, changeSummary } from '../lib/audit';
import { canRevokeHere, grantee, isPending, sortGrants, validateGrant } from '../lib/permissions';
import { validateExperimentName } from '../lib/experiments';

describe('notification links', () => {
  it('opens our own screens in the app, whatever host the server put in the link', () => {
    expect(appPathFromLink('https://assay.example.com/review/abc123', 'http://127.0.0.1:5000')).toBe('/review/abc123');
    expect(appPathFromLink('http://127.0.0.1:9999/review/abc?item=7#x', 'http://127.0.0.1:5000')).toBe('/review/abc?item=7#x');
    expect(appPathFromLink('/experiments/3/sessions/s1', 'http://127.0.0.1:5000')).toBe('/experiments/3/sessions/s1');
  });
  it('leaves other links alone and refuses scripts', () => {
    expect(appPathFromLink('https://example.com/elsewhere', 'http://h')).toBeNull();
    expect(appPathFromLink('javascript:alert(1)//review/x', 'http://h')).toBeNull();
    expect(appPathFromLink('', 'http://h')).toBeNull();
    expect(appPathFromLink(undefined, 'http://h')).toBeNull();
    expect(appPathFromLink('/reviewers', 'http://h')).toBeNull();
  });
  it('counts unread ones and caps the badge', () => {
    const n = (id: number, read?: number) => ({ id, kind: 'k', message: 'm', link: '', created_at: 0, read_at: read });
    expect(unreadCount([n(1), n(2, 5), n(3, undefined)])).toBe(2);
    expect(unreadCount(undefined)).toBe(0);
    expect(badgeText(7)).toBe('7');
    expect(badgeText(120)).toBe('99+');
  });
  it('says how long ago', () => {
    const now = 1_700_000_000_000;
    expect(timeAgo(now - 10_000, now)).toBe('just now');
    expect(timeAgo(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(timeAgo(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(timeAgo(now - 2 * 86_400_000, now)).toBe('2 d ago');
  });
});

describe('API tokens', () => {
  const now = new Date('2030-01-10T12:00:00Z');
  it('turns an expiry choice into expires_at', () => {
    expect(expiryFor('never', '', now)).toEqual({});
    expect(expiryFor('30d', '', now).expiresAt).toBe('2030-02-09T12:00:00.000Z');
    const custom = expiryFor('custom', '2030-03-01', now);
    expect(custom.error).toBeUndefined();
    const d = new Date(custom.expiresAt!);
    expect([d.getFullYear(), d.getMonth(), d.getDate(), d.getHours()]).toEqual([2030, 2, 1, 23]);
  });
  it('refuses a missing, impossible or past date', () => {
    expect(expiryFor('custom', '', now).error).toMatch(/Pick the date/);
    expect(expiryFor('custom', '2030-02-31', now).error).toMatch(/not a date/);
    expect(expiryFor('custom', '2029-12-31', now).error).toMatch(/future/);
  });
  it('checks the name as the server does (1 to 100 characters)', () => {
    expect(validateTokenName('  ')).toMatch(/name/);
    expect(validateTokenName('ci')).toBeNull();
    expect(validateTokenName('é'.repeat(100))).toBeNull();
    expect(validateTokenName('x'.repeat(101))).toMatch(/100/);
  });
  it('knows expired tokens and shows how to use one with MLflow', () => {
    const t: TokenInfo = { id: 'a', user_id: 1, name: 'n', created_at: '2030-01-01T00:00:00Z', expires_at: '2030-01-05T00:00:00Z' };
    expect(tokenState(t, now.getTime())).toBe('expired');
    expect(tokenState({ ...t, expires_at: null }, now.getTime())).toBe('active');
    expect(tokenState({ ...t, revoked_at: '2030-01-02T00:00:00Z' }, now.getTime())).toBe('revoked');
    expect(mlflowUsage('assay_x', 'http://127.0.0.1:5000')).toBe('export MLFLOW_TRACKING_URI=http://127.0.0.1:5000\nexport MLFLOW_TRACKING_TOKEN=assay_x');
  });
});

describe('audit log', () => {
  it('lists the top-level fields that changed', () => {
    expect(changes({ name: 'a', users: ['x'], same: 1 }, { name: 'b', users: ['x', 'y'], same: 1, extra: true })).toEqual([
      { key: 'name', before: 'a', after: 'b', kind: 'changed' },
      { key: 'users', before: ['x'], after: ['x', 'y'], kind: 'changed' },
      { key: 'extra', before: undefined, after: true, kind: 'added' },
    ]);
    expect(changes({ gone: 1, kept: 1 }, { kept: 1 })).toEqual([{ key: 'gone', before: 1, after: undefined, kind: 'removed' }]);
    expect(changes('a', 'b')).toEqual([]);
  });
  it('compares only the shared fields of a record and an update request, matching names loosely', () => {
    const before = { LabelingSessionID: 's1', Name: 'billing', AssignedUsers: [], ReviewsPerItem: 1, CreatedBy: 'ana' };
    const after = { update_mask: ['assigned_users'], assigned_users: ['ben@x.io'], new: { Name: '' } };
    expect(changes(before, after)).toEqual([{ key: 'assigned_users', before: [], after: ['ben@x.io'], kind: 'changed' }]);
    expect(changeSummary({ before, after })).toBe('assigned_users changed');
    expect(changeSummary({ before: { A: 1 }, after: { update_mask: ['name'], b: 2 } })).toBe('name updated');
    expect(changes({ a: 1 }, { b: 2 })).toEqual([]);
  });
  it('summarizes an event in one line', () => {
    expect(changeSummary({ before: { a: 1 }, after: { a: 2 } })).toBe('a changed');
    expect(changeSummary({ before: { a: 1, b: 1, c: 1, d: 1 }, after: { a: 2, b: 2, c: 2, d: 2 } })).toBe('a, b, c and 1 more changed');
    expect(changeSummary({ after: { state: 'COMPLETED' } })).toBe('state: COMPLETED');
    expect(changeSummary({ before: { name: 'x' } })).toBe('deleted');
    expect(changeSummary({})).toBe('');
    expect(brief({ nested: { a: 1 }, list: [1] })).toBe('nested, list');
  });
  it('pages by event id from a fetch of limit + 1', () => {
    const ev = (id: number): AuditEvent => ({ id, at: id, actor: 'a', action: 'x', object_type: 't', object_id: String(id) });
    expect(auditPage([ev(9), ev(8), ev(7)], 2)).toEqual({ events: [ev(9), ev(8)], olderBefore: 8 });
    expect(auditPage([ev(9), ev(8)], 2)).toEqual({ events: [ev(9), ev(8)] });
    expect(auditPage([], 2)).toEqual({ events: [] });
  });
});

describe('experiment permissions', () => {
  const me = { id: 1, email: 'admin@localhost' };
  const g = (over: Partial<Grant>): Grant => ({ grant_id: 1, experiment_id: '3', email: '', permission: 'READ', reason: 'grant', created_at: 0, ...over });
  it('names who a grant is for', () => {
    expect(grantee(g({ email: 'ben@example.com' }), me)).toBe('ben@example.com');
    expect(grantee(g({ user_id: 1, reason: 'creator' }), me)).toBe('admin@localhost');
    expect(grantee(g({ user_id: 7, reason: 'creator' }), me)).toBe('User #7');
  });
  it('keeps reviewer grants to the Share dialog and marks pending ones', () => {
    expect(canRevokeHere(g({ reason: 'reviewer', session_id: 's' }))).toBe(false);
    expect(canRevokeHere(g({ reason: 'grant' }))).toBe(true);
    expect(canRevokeHere(g({ reason: 'creator', user_id: 1 }))).toBe(true);
    expect(isPending(g({ email: 'new@example.com' }))).toBe(true);
    expect(isPending(g({ email: 'new@example.com', user_id: 4 }))).toBe(false);
  });
  it('sorts direct grants by strength, reviewer grants last', () => {
    const gs = [
      g({ grant_id: 1, email: 'rev@x.io', reason: 'reviewer', permission: 'EDIT', session_id: 's' }),
      g({ grant_id: 2, email: 'b@x.io', permission: 'READ' }),
      g({ grant_id: 3, user_id: 1, reason: 'creator', permission: 'MANAGE' }),
      g({ grant_id: 4, email: 'a@x.io', permission: 'READ' }),
    ];
    expect(sortGrants(gs, me).map((x) => x.grant_id)).toEqual([3, 4, 2, 1]);
  });
  it('validates a grant before sending it', () => {
    expect(validateGrant('', 'READ').email).toMatch(/email/);
    expect(validateGrant('a@x.io, b@x.io', 'READ').email).toMatch(/not one email/);
    expect(validateGrant('a@x.io', 'OWNER').permission).toMatch(/READ, EDIT or MANAGE/);
    expect(validateGrant(' a@x.io ', 'MANAGE')).toEqual({});
  });
});

describe('experiment names', () => {
  it('wants a new, non-empty name', () => {
    expect(validateExperimentName('  ')).toMatch(/name/);
    expect(validateExperimentName('support', ['support'])).toMatch(/already exists/);
    expect(validateExperimentName('support', ['support'], 'support')).toBeNull();
    expect(validateExperimentName('new one', ['support'])).toBeNull();
  });
});
