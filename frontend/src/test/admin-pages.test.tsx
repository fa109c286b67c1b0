// The notification bell, the permissions page's 403 message, and the token secret shown once,
// against a stubbed fetch.
import { act, type ReactElement } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdentityContext, type Identity } from '../App';
import type { Grant, PermissionLevel } from '../api/types';
import { NotificationBell } from '../components/Menus';
import ExperimentSettingsPage from '../pages/ExperimentSettingsPage';
import TokensPage from '../pages/TokensPage';
import { render } from './render';

type Route = (method: string, url: URL, body: unknown) => { status?: number; json?: unknown } | undefined;
let calls: { method: string; path: string; body: unknown }[] = [];
function stubFetch(route: Route) {
  calls = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string, init?: RequestInit) => {
      const url = new URL(input, 'http://app.test');
      const method = init?.method ?? 'GET';
      const body = init?.body ? JSON.parse(String(init.body)) : undefined;
      calls.push({ method, path: url.pathname, body });
      const r = route(method, url, body) ?? { status: 404, json: { error_code: 'NOT_FOUND', message: 'no route' } };
      return new Response(r.json === undefined ? '' : JSON.stringify(r.json), { status: r.status ?? 200, headers: { 'Content-Type': 'application/json' } });
    }),
  );
}
const flush = async () => {
  for (let i = 0; i < 5; i++) await act(async () => new Promise((r) => setTimeout(r, 0)));
};
function type(el: HTMLInputElement, value: string) {
  const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
  act(() => {
    set.call(el, value);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
}
const ident: Identity = {
  me: { user: { id: 1, email: 'admin@localhost', display_name: 'Admin', admin: true }, auth_mode: 'local', via: 'local' },
  config: { auth_mode: 'local', login_url: '/auth/login', logout_url: '/auth/logout' },
};
const withIdentity = (el: ReactElement) => <IdentityContext.Provider value={ident}>{el}</IdentityContext.Provider>;

let cleanup: (() => void) | null = null;
beforeEach(() => window.history.replaceState(null, '', '/'));
afterEach(() => {
  cleanup?.();
  cleanup = null;
  vi.unstubAllGlobals();
});

describe('NotificationBell', () => {
  it('shows the unread count, opens a notice inside the app and marks it read', async () => {
    stubFetch((method, url) => {
      if (method === 'GET' && url.pathname === '/api/assay/v1/notifications')
        return {
          json: {
            notifications: [
              { id: 2, kind: 'session.assigned', message: 'ana asked you to review "b".', link: 'https://public.example/review/s2', created_at: Date.now() },
              { id: 1, kind: 'session.assigned', message: 'old', link: 'https://public.example/review/s1', created_at: Date.now() - 1e6, read_at: Date.now() },
            ],
          },
        };
      if (method === 'POST' && url.pathname === '/api/assay/v1/notifications/2/read') return { json: {} };
    });
    const r = render(<NotificationBell />);
    cleanup = r.unmount;
    await flush();
    const button = r.container.querySelector<HTMLButtonElement>('[data-testid=notifications-button]')!;
    expect(r.container.querySelector('[data-testid=notifications-unread]')?.textContent).toBe('1');
    expect(button.getAttribute('aria-label')).toBe('Notifications, 1 unread');
    act(() => button.click());
    await flush();
    const items = r.container.querySelectorAll('[data-testid=notification]');
    expect(items).toHaveLength(2);
    const link = items[0].querySelector('a')!;
    expect(link.getAttribute('href')).toBe('/review/s2');
    act(() => link.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, button: 0 })));
    await flush();
    expect(window.location.pathname).toBe('/review/s2');
    expect(calls.some((c) => c.method === 'POST' && c.path === '/api/assay/v1/notifications/2/read')).toBe(true);
    expect(r.container.querySelector('[data-testid=notifications-unread]')).toBeNull();
    expect(r.container.querySelector('[data-testid=notifications-panel]')).toBeNull();
  });

  it('says so when there is nothing', async () => {
    stubFetch((_method, url) => (url.pathname === '/api/assay/v1/notifications' ? { json: { notifications: [] } } : undefined));
    const r = render(<NotificationBell />);
    cleanup = r.unmount;
    await flush();
    expect(r.container.querySelector('[data-testid=notifications-unread]')).toBeNull();
    act(() => r.container.querySelector<HTMLButtonElement>('button')!.click());
    await flush();
    expect(r.container.textContent).toContain('No notifications yet');
  });
});

describe('ExperimentSettingsPage', () => {
  it('explains a 403 instead of showing an error', async () => {
    stubFetch((_method, url) => {
      if (url.pathname === '/api/2.0/mlflow/experiments/get') return { json: { experiment: { experiment_id: '3', name: 'bot' } } };
      if (url.pathname === '/api/assay/v1/experiments/3/permissions') return { status: 403, json: { error_code: 'PERMISSION_DENIED', message: 'needs MANAGE on experiment 3' } };
    });
    const r = render(withIdentity(<ExperimentSettingsPage experimentId="3" />));
    cleanup = r.unmount;
    await flush();
    expect(r.container.querySelector('h1')?.textContent).toBe('bot');
    const msg = r.container.querySelector('[data-testid=permissions-forbidden]');
    expect(msg?.textContent).toContain('can’t manage access');
    expect(msg?.textContent).toContain('MANAGE');
    expect(r.container.querySelector('form')).toBeNull();
  });

  it('lists grants, keeps reviewer grants to the Share dialog and grants by email', async () => {
    let grants: Grant[] = [
      { grant_id: 1, experiment_id: '3', user_id: 1, email: '', permission: 'MANAGE', reason: 'creator', created_at: 1 },
      { grant_id: 2, experiment_id: '3', email: 'rev@example.com', permission: 'EDIT', reason: 'reviewer', session_id: 'sess1', created_at: 2 },
    ];
    stubFetch((method, url, body) => {
      if (url.pathname === '/api/2.0/mlflow/experiments/get') return { json: { experiment: { experiment_id: '3', name: 'bot' } } };
      if (url.pathname === '/api/assay/v1/experiments/3/sessions') return { json: { sessions: [{ labeling_session_id: 'sess1', name: 'billing_review' }] } };
      if (url.pathname === '/api/assay/v1/experiments/3/permissions' && method === 'GET') return { json: { grants } };
      if (url.pathname === '/api/assay/v1/experiments/3/permissions' && method === 'POST') {
        const b = body as { email: string; permission: string };
        grants = [...grants, { grant_id: 3, experiment_id: '3', email: b.email, permission: b.permission as PermissionLevel, reason: 'grant', created_at: 3 }];
        return { json: { grants } };
      }
    });
    const r = render(withIdentity(<ExperimentSettingsPage experimentId="3" />));
    cleanup = r.unmount;
    await flush();
    const rows = () => Array.from(r.container.querySelectorAll<HTMLTableRowElement>('[data-testid=grants-table] tbody tr'));
    expect(rows().map((x) => x.dataset.grant)).toEqual(['admin@localhost', 'rev@example.com']);
    expect(rows()[1].textContent).toContain('billing_review');
    expect(rows()[1].querySelector('button')).toBeNull();
    expect(rows()[0].querySelector('button')?.textContent).toBe('Revoke');

    type(r.container.querySelector<HTMLInputElement>('#grant-email')!, 'Ben@Example.com');
    const sel = r.container.querySelector<HTMLSelectElement>('#grant-level')!;
    act(() => {
      sel.value = 'EDIT';
      sel.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await act(async () => r.container.querySelector<HTMLFormElement>('form.grant-form')!.requestSubmit());
    await flush();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ email: 'ben@example.com', permission: 'EDIT' });
    expect(rows().map((x) => x.dataset.grant)).toContain('ben@example.com');
  });
});

describe('TokensPage', () => {
  it('shows a new token’s secret once, with the MLflow hint', async () => {
    let tokens: unknown[] = [];
    stubFetch((method, url, body) => {
      if (url.pathname !== '/api/assay/v1/tokens') return undefined;
      if (method === 'GET') return { json: { tokens } };
      const b = body as { name: string; expires_at?: string };
      const info = { id: 't1', user_id: 1, name: b.name, created_at: new Date().toISOString(), expires_at: b.expires_at };
      tokens = [info];
      return { status: 201, json: { token: 'assay_SECRET', token_info: info } };
    });
    const r = render(withIdentity(<TokensPage />));
    cleanup = r.unmount;
    await flush();
    expect(r.container.textContent).toContain('No API tokens');
    act(() => Array.from(r.container.querySelectorAll('button')).find((b) => b.textContent === 'Create token')!.click());
    const dialog = () => document.querySelector('[role=dialog]') as HTMLElement | null;
    type(dialog()!.querySelector<HTMLInputElement>('#token-name')!, 'ci');
    await act(async () => dialog()!.querySelector<HTMLFormElement>('#token-form')!.requestSubmit());
    await flush();
    const sent = calls.find((c) => c.method === 'POST')!.body as { name: string; expires_at: string };
    expect(sent.name).toBe('ci');
    expect(new Date(sent.expires_at).getTime()).toBeGreaterThan(Date.now() + 89 * 86_400_000);
    expect(dialog()!.querySelector('[data-testid=token-secret]')?.textContent).toBe('assay_SECRET');
    expect(dialog()!.querySelector('[data-testid=token-usage]')?.textContent).toContain('MLFLOW_TRACKING_TOKEN=assay_SECRET');
    act(() => Array.from(dialog()!.querySelectorAll('button')).find((b) => b.textContent === 'Done')!.click());
    await flush();
    expect(dialog()).toBeNull();
    expect(document.body.textContent).not.toContain('assay_SECRET');
    expect(r.container.querySelector('[data-testid=tokens-table]')?.textContent).toContain('ci');
  });
});
