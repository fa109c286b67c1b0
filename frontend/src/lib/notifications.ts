// Notifications carry absolute links (the server's public URL + /review/<session>). The SPA
// opens them in place: a link to one of our own screens becomes an in-app path, whatever host
// the server put in front (a --public-url behind a proxy may not be the host we were loaded from).
import type { AppNotification } from '../api/types';

/** App screens a notification may point at; anything else opens as an ordinary link. */
const APP_PATHS = [/^\/review(\/|$)/, /^\/experiments(\/|$)/, /^\/settings\//, /^\/admin\//];

/** The in-app path (path + query + hash) of a notification link, or null when it is not ours. */
export function appPathFromLink(link: string | undefined | null, origin = typeof window !== 'undefined' ? window.location.origin : 'http://localhost'): string | null {
  if (!link) return null;
  let u: URL;
  try {
    u = new URL(link, origin);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  if (!APP_PATHS.some((re) => re.test(u.pathname))) return null;
  return u.pathname + u.search + u.hash;
}

export const isUnread = (n: AppNotification) => n.read_at === undefined || n.read_at === null;

export function unreadCount(ns: AppNotification[] | undefined): number {
  return ns ? ns.filter(isUnread).length : 0;
}

/** The badge text: 1 … 99, then "99+". */
export function badgeText(n: number): string {
  return n > 99 ? '99+' : String(n);
}

/** "just now", "5 min ago", "3 h ago", "2 d ago", then the date. */
export function timeAgo(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.round(h / 24);
  if (d < 7) return `${d} d ago`;
  return new Date(ms).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}
