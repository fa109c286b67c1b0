// Experiment access lists: who a grant is for, where it came from, and whether this page may
// revoke it (reviewer grants belong to a session's Share dialog).
import type { Grant, PermissionLevel } from '../api/types';

export const LEVELS: PermissionLevel[] = ['READ', 'EDIT', 'MANAGE'];

export const LEVEL_HELP: Record<PermissionLevel, string> = {
  READ: 'see traces, sessions, schemas and datasets',
  EDIT: 'also log traces, change sessions, schemas and datasets, rename the experiment',
  MANAGE: 'also decide who has access',
};

const RANK: Record<string, number> = { MANAGE: 3, EDIT: 2, READ: 1 };

export const isReviewerGrant = (g: Grant) => g.reason === 'reviewer';
export const canRevokeHere = (g: Grant) => !isReviewerGrant(g);
/** A grant to an email that has not signed in yet: it binds on their first sign-in. */
export const isPending = (g: Grant) => (g.user_id === undefined || g.user_id === null) && !!g.email;

/** Who the grant is for, as people read it. */
export function grantee(g: Grant, me?: { id: number; email: string }): string {
  if (g.email) return g.email;
  if (me && g.user_id === me.id) return me.email;
  return g.user_id !== undefined && g.user_id !== null ? `User #${g.user_id}` : 'Unknown user';
}

export function sourceLabel(g: Grant): string {
  switch (g.reason) {
    case 'creator':
      return 'Created the experiment';
    case 'reviewer':
      return 'Reviewer of a session';
    case 'grant':
      return 'Granted here';
    default:
      return g.reason || '—';
  }
}

/** Direct grants first (strongest first, then by who), reviewer grants after them. */
export function sortGrants(gs: Grant[], me?: { id: number; email: string }): Grant[] {
  return [...gs].sort((a, b) => {
    const ra = isReviewerGrant(a) ? 1 : 0;
    const rb = isReviewerGrant(b) ? 1 : 0;
    if (ra !== rb) return ra - rb;
    const p = (RANK[b.permission] ?? 0) - (RANK[a.permission] ?? 0);
    if (p !== 0) return p;
    return grantee(a, me).localeCompare(grantee(b, me)) || a.grant_id - b.grant_id;
  });
}

/** A grant by email: one address, READ/EDIT/MANAGE. */
export function validateGrant(email: string, level: string): { email?: string; permission?: string } {
  const errs: { email?: string; permission?: string } = {};
  const e = email.trim();
  if (!e) errs.email = 'Type the email address of the person to give access to.';
  else if (!/^[^@\s,;]+@[^@\s,;]+$/.test(e)) errs.email = `${e} is not one email address.`;
  if (!LEVELS.includes(level as PermissionLevel)) errs.permission = 'Pick READ, EDIT or MANAGE.';
  return errs;
}
