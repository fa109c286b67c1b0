// The top bar's pop-ups: the notification bell (unread count, polled gently) and the user menu
// (API tokens, the audit log for admins, sign out). Both close on Escape and on a click outside,
// and give the focus back to their button.
import { useCallback, useEffect, useRef, useState, type FocusEvent, type KeyboardEvent, type MouseEvent, type ReactNode, type RefObject } from 'react';
import { listNotifications, logout, markNotificationRead } from '../api/endpoints';
import { errorMessage } from '../api/client';
import type { AppNotification } from '../api/types';
import { useVersion } from '../lib/bus';
import { appPathFromLink, badgeText, isUnread, timeAgo, unreadCount } from '../lib/notifications';
import { Link, navigate } from '../router';
import { Badge, Button } from './ui';

/** How often the bell asks for new notifications while the tab is visible. */
export const NOTIFICATION_POLL_MS = 60_000;
/** A focus or visibility change reloads at most this often. */
const MIN_RELOAD_MS = 5_000;

/** Closes a pop-up on Escape (focus back to its button), on a mouse-down outside it, and when
 *  the focus leaves it (Tab past its last item). */
function useDismiss(open: boolean, close: () => void, wrap: RefObject<HTMLElement | null>, button: RefObject<HTMLElement | null>) {
  useEffect(() => {
    if (!open) return;
    const down = (e: globalThis.MouseEvent) => {
      if (wrap.current && !wrap.current.contains(e.target as Node)) close();
    };
    document.addEventListener('mousedown', down);
    return () => document.removeEventListener('mousedown', down);
  }, [open, close, wrap]);
  return {
    onKeyDown: (e: KeyboardEvent) => {
      if (e.key === 'Escape' && open) {
        e.stopPropagation();
        close();
        button.current?.focus();
      }
    },
    onBlur: (e: FocusEvent) => {
      const to = e.relatedTarget as Node | null;
      if (open && to && wrap.current && !wrap.current.contains(to)) close();
    },
  };
}

/** Arrow keys move between a menu's items. */
function menuKeys(e: KeyboardEvent<HTMLElement>) {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Home' && e.key !== 'End') return;
  const items = Array.from(e.currentTarget.querySelectorAll<HTMLElement>('[role=menuitem]'));
  if (!items.length) return;
  e.preventDefault();
  const i = items.indexOf(document.activeElement as HTMLElement);
  const next = e.key === 'Home' ? 0 : e.key === 'End' ? items.length - 1 : e.key === 'ArrowDown' ? (i + 1) % items.length : (i - 1 + items.length) % items.length;
  items[next].focus();
}

export function BellIcon() {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
      <path d="M13.73 21a2 2 0 0 1-3.46 0" />
    </svg>
  );
}

export function GearIcon() {
  return (
    <svg width="17" height="17" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <circle cx="12" cy="12" r="3" />
      <path d="M19.4 15a1.65 1.65 0 0 0 .33 1.82l.06.06a2 2 0 0 1-2.83 2.83l-.06-.06a1.65 1.65 0 0 0-1.82-.33 1.65 1.65 0 0 0-1 1.51V21a2 2 0 0 1-4 0v-.09A1.65 1.65 0 0 0 9 19.4a1.65 1.65 0 0 0-1.82.33l-.06.06a2 2 0 0 1-2.83-2.83l.06-.06a1.65 1.65 0 0 0 .33-1.82 1.65 1.65 0 0 0-1.51-1H3a2 2 0 0 1 0-4h.09A1.65 1.65 0 0 0 4.6 9a1.65 1.65 0 0 0-.33-1.82l-.06-.06a2 2 0 0 1 2.83-2.83l.06.06a1.65 1.65 0 0 0 1.82.33H9a1.65 1.65 0 0 0 1-1.51V3a2 2 0 0 1 4 0v.09a1.65 1.65 0 0 0 1 1.51 1.65 1.65 0 0 0 1.82-.33l.06-.06a2 2 0 0 1 2.83 2.83l-.06.06a1.65 1.65 0 0 0-.33 1.82V9a1.65 1.65 0 0 0 1.51 1H21a2 2 0 0 1 0 4h-.09a1.65 1.65 0 0 0-1.51 1z" />
    </svg>
  );
}

/** Loads my notifications now, every minute while the tab is visible, and when it regains focus. */
export function useNotifications(pollMs = NOTIFICATION_POLL_MS) {
  const version = useVersion('notifications');
  const [items, setItems] = useState<AppNotification[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const busy = useRef(false);
  const last = useRef(0);
  const alive = useRef(true);
  const load = useCallback(async (force = true) => {
    if (busy.current) return;
    if (!force && Date.now() - last.current < MIN_RELOAD_MS) return;
    busy.current = true;
    last.current = Date.now();
    try {
      const ns = await listNotifications();
      if (alive.current) {
        setItems(ns);
        setError(null);
      }
    } catch (e) {
      if (alive.current) setError(e);
    } finally {
      busy.current = false;
    }
  }, []);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);
  useEffect(() => {
    void load();
  }, [load, version]);
  useEffect(() => {
    const visible = () => document.visibilityState !== 'hidden';
    const tick = () => visible() && void load(false);
    const id = window.setInterval(() => visible() && void load(), pollMs);
    window.addEventListener('focus', tick);
    document.addEventListener('visibilitychange', tick);
    return () => {
      window.clearInterval(id);
      window.removeEventListener('focus', tick);
      document.removeEventListener('visibilitychange', tick);
    };
  }, [load, pollMs]);
  return { items, setItems, error, reload: load };
}

export function NotificationBell() {
  const { items, setItems, error, reload } = useNotifications();
  const [open, setOpen] = useState(false);
  const wrap = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const close = useCallback(() => setOpen(false), []);
  const dismiss = useDismiss(open, close, wrap, button);
  const unread = unreadCount(items);

  const markRead = async (ids: number[]) => {
    if (!ids.length) return;
    const now = Date.now();
    setItems((items ?? []).map((n) => (ids.includes(n.id) && isUnread(n) ? { ...n, read_at: now } : n)));
    try {
      await Promise.all(ids.map((id) => markNotificationRead(id)));
    } catch {
      void reload();
    }
  };
  const openItem = (n: AppNotification, path: string | null, e: MouseEvent<HTMLAnchorElement>) => {
    if (isUnread(n)) void markRead([n.id]);
    if (!path || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    setOpen(false);
    navigate(path);
  };

  return (
    <div className="menu-wrap" ref={wrap} {...dismiss}>
      <button
        ref={button}
        type="button"
        className="btn btn-ghost btn-icon topbar-icon"
        aria-label={unread ? `Notifications, ${unread} unread` : 'Notifications'}
        aria-haspopup="true"
        aria-expanded={open}
        data-testid="notifications-button"
        onClick={() => {
          if (!open) void reload();
          setOpen((o) => !o);
        }}
      >
        <BellIcon />
        {unread > 0 && (
          <span className="bell-count" data-testid="notifications-unread" aria-hidden="true">
            {badgeText(unread)}
          </span>
        )}
      </button>
      {open && (
        <section className="popover notif-panel" aria-label="Notifications" data-testid="notifications-panel">
          <div className="popover-head">
            <span className="strong">Notifications</span>
            {unread > 0 && (
              <button type="button" className="link small" onClick={() => void markRead((items ?? []).filter(isUnread).map((n) => n.id))}>
                Mark all read
              </button>
            )}
          </div>
          {error && !items ? (
            <div className="popover-body">
              <div className="inline-error" role="alert">
                {errorMessage(error)}
              </div>
              <Button className="btn-small" onClick={() => void reload()}>
                Try again
              </Button>
            </div>
          ) : null}
          {!items && !error && <div className="popover-empty muted">Loading…</div>}
          {items && items.length === 0 && <div className="popover-empty muted">No notifications yet. You will see one here when someone asks you to review a session.</div>}
          {items && items.length > 0 && (
            <ul className="notif-list">
              {items.map((n) => {
                const path = appPathFromLink(n.link);
                const href = path ?? (/^https?:\/\//i.test(n.link) ? n.link : undefined);
                const fresh = isUnread(n);
                return (
                  <li key={n.id} className={`notif ${fresh ? 'notif-unread' : ''}`} data-testid="notification">
                    <span className="notif-dot" aria-hidden="true" />
                    <div className="notif-main">
                      {href ? (
                        <a href={href} className="notif-msg" onClick={(e) => openItem(n, path, e)}>
                          {n.message}
                        </a>
                      ) : (
                        <span className="notif-msg">{n.message}</span>
                      )}
                      <span className="muted small" title={new Date(n.created_at).toLocaleString()}>
                        {timeAgo(n.created_at)}
                        {fresh && <span className="sr-only"> · unread</span>}
                      </span>
                    </div>
                    {fresh && (
                      <button type="button" className="btn btn-ghost btn-small notif-read" onClick={() => void markRead([n.id])} aria-label={`Mark read: ${n.message}`} title="Mark read">
                        ✓
                      </button>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}

function MenuLink({ to, children, onPick }: { to: string; children: ReactNode; onPick: () => void }) {
  return (
    <Link to={to} role="menuitem" className="menu-item" onClick={onPick}>
      {children}
    </Link>
  );
}

export function UserMenu({ user, local }: { user: { email: string; display_name: string; admin: boolean }; local: boolean }) {
  const [open, setOpen] = useState(false);
  const wrap = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const close = useCallback(() => setOpen(false), []);
  const dismiss = useDismiss(open, close, wrap, button);
  useEffect(() => {
    if (open) wrap.current?.querySelector<HTMLElement>('[role=menuitem]')?.focus();
  }, [open]);
  return (
    <div className="menu-wrap" ref={wrap} {...dismiss}>
      <button ref={button} type="button" className="btn btn-ghost user-button" aria-haspopup="menu" aria-expanded={open} aria-label={`Account: ${user.email}`} onClick={() => setOpen((o) => !o)}>
        <span className="user" title={user.email} data-testid="current-user">
          {user.display_name || user.email}
        </span>
        <span aria-hidden="true" className="caret">
          ▾
        </span>
      </button>
      {open && (
        <div className="menu" role="menu" aria-label="Account" onKeyDown={menuKeys}>
          <div className="menu-head">
            <div className="strong">{user.display_name || user.email}</div>
            <div className="muted small menu-email">{user.email}</div>
            {user.admin && <Badge tone="info">server admin</Badge>}
          </div>
          <MenuLink to="/experiments" onPick={close}>
            All experiments
          </MenuLink>
          <MenuLink to="/settings/tokens" onPick={close}>
            API tokens
          </MenuLink>
          {user.admin && (
            <MenuLink to="/admin/audit" onPick={close}>
              Audit log
            </MenuLink>
          )}
          {!local && (
            <button
              type="button"
              role="menuitem"
              className="menu-item menu-sep"
              onClick={async () => {
                try {
                  await logout();
                } finally {
                  window.location.assign('/');
                }
              }}
            >
              Sign out
            </button>
          )}
        </div>
      )}
    </div>
  );
}
