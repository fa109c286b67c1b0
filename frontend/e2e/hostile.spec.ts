// Untrusted trace content renders inert: a trace carrying <img onerror>, <script>, a remote
// Markdown image and javascript: links is opened in the trace drawer, the Review App and the
// assessment pop-up; no script runs, no request leaves the page's origin, and the CSP never even
// has to block anything. Runs in local mode (the local admin).
import { expect, test, type Page } from '@playwright/test';
import { client, startServer, type Server } from './server';
import { hostileTrace } from './seed';
import { shot } from './helpers';

let srv: Server;
test.beforeAll(async () => {
  srv = await startServer();
});
test.afterAll(async () => {
  await srv?.stop();
});

async function guard(page: Page) {
  const origin = new URL(srv.url).origin;
  const offsite: string[] = [];
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(origin) || u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
    offsite.push(u);
    return route.abort();
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __violations: string[] };
    w.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    async check() {
      expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
      expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
      expect(offsite).toEqual([]);
      expect(errors).toEqual([]);
      // Nothing in the rendered content can load or run anything.
      const bad = await page.evaluate(() =>
        Array.from(document.querySelectorAll('.md *, .md')).flatMap((el) => {
          const out: string[] = [];
          if (el.tagName === 'SCRIPT' || el.tagName === 'SVG' || el.tagName === 'IFRAME') out.push(el.tagName);
          if (el.tagName === 'IMG' && !(el.getAttribute('src') ?? '').startsWith('data:')) out.push(`img ${el.getAttribute('src')}`);
          for (const a of Array.from(el.attributes)) {
            if (a.name.startsWith('on')) out.push(`${el.tagName} ${a.name}`);
            if (/^\s*(javascript|data:text)/i.test(a.value) && a.name === 'href') out.push(`href ${a.value}`);
          }
          return out;
        }),
      );
      expect(bad).toEqual([]);
    },
  };
}

test('hostile trace content renders inert everywhere', async ({ page }) => {
  const api = client(srv.url);
  const t = hostileTrace(Date.now() - 60_000);
  await api.post('/v1/traces', t.body);
  const app = await api.post<{ review_app_id: string }>('/api/2.0/managed-evals/review-apps', { experiment_id: '0' });
  const me = await api.get<{ user: { email: string } }>('/api/assay/v1/me');
  const sess = await api.post<{ labeling_session_id: string }>(`/api/2.0/managed-evals/review-apps/${app.review_app_id}/labeling-sessions`, {
    name: 'hostile_review',
    assigned_users: [me.user.email],
    labeling_schemas: [{ name: 'expected_facts' }],
  });
  await api.post(`/api/assay/v1/sessions/${sess.labeling_session_id}/traces`, { trace_ids: [t.traceId] });

  const g = await guard(page);

  // Trace drawer (the root span's output is a ChatCompletion holding the hostile Markdown).
  await page.goto(`${srv.url}/experiments/0/traces?trace=${t.traceId}`);
  const drawer = page.getByRole('dialog');
  await expect(drawer.locator('[data-kind="chat"]').first()).toBeVisible();
  await expect(drawer.locator('.md-blocked-img').first()).toContainText('https://evil.example/leak.png');
  await expect(drawer.getByText('data link')).toBeVisible();
  await expect(drawer.locator('img[src^="data:image/gif"]')).toHaveCount(1);
  await drawer.getByRole('treeitem').filter({ hasText: 'retrieve' }).click();
  await expect(drawer.getByTestId('span-detail').locator('.md-blocked-img')).toContainText('https://evil.example/doc.png');
  await shot(page, '20-hostile-drawer');
  await g.check();

  // Review App.
  await page.goto(`${srv.url}/review/${sess.labeling_session_id}`);
  await expect(page.locator('.pane-content [data-kind="chat"]').first()).toBeVisible();
  await expect(page.locator('.pane-content [data-kind="docs"] .md-blocked-img')).toContainText('https://evil.example/doc.png');
  await expect(page.locator('.pane-content').getByText('<img src=x onerror="window.__pwned=6">', { exact: false })).toBeVisible();
  await shot(page, '21-hostile-review');
  await g.check();

  // Assessment pop-up of the request.
  await page.goto(`${srv.url}/experiments/0/sessions/${sess.labeling_session_id}`);
  await page.getByTestId('requests-table').locator('tbody tr').first().click();
  await expect(page.getByRole('dialog').locator('.md-blocked-img').first()).toBeVisible();
  await g.check();
});
