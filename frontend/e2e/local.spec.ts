// Local mode (one local admin, no sign-in): the badge, deep links, empty and 404 states, and
// "select all N matching" sending the filter to the add-traces route.
import { expect, test } from '@playwright/test';
import { client, startServer, type Server } from './server';
import { otlpTrace } from './seed';
import { shot } from './helpers';

let srv: Server;
test.beforeAll(async () => {
  srv = await startServer();
});
test.afterAll(async () => {
  await srv?.stop();
});

test('local mode: the badge, deep links, empty states and JSON 404s', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${srv.url}/experiments/0/datasets`);
  await expect(page.getByText('Local mode')).toBeVisible();
  await expect(page.getByText('No datasets yet')).toBeVisible();
  await shot(page, '22-datasets-empty');
  await page.goto(`${srv.url}/review`);
  await expect(page.getByRole('heading', { name: 'My review sessions' })).toBeVisible();
  await page.goto(`${srv.url}/no/such/page`);
  await expect(page.getByText('Page not found')).toBeVisible();
  const r = await page.request.get(`${srv.url}/api/assay/v1/no-such-route`);
  expect(r.status()).toBe(404);
  expect(r.headers()['content-type']).toContain('application/json');
  // The served page carries no inline script: CSP script-src 'self' needs none.
  const html = await (await page.request.get(`${srv.url}/experiments/0/traces`)).text();
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
  expect(errors).toEqual([]);
});

test('select all N matching adds every match through the filter', async ({ page }) => {
  const api = client(srv.url);
  const t0 = Date.now() - 86_400_000;
  const bodies = Array.from({ length: 55 }, (_, i) => otlpTrace({ name: 'bulk', type: 'CHAIN', inputs: { q: `question ${i}` }, outputs: `answer ${i}`, startMs: 0, durMs: 10 + i }, t0 + i * 1000).body);
  await api.post('/v1/traces', { resourceSpans: bodies.flatMap((b) => b.resourceSpans) });
  await api.post('/v1/traces', otlpTrace({ name: 'other', type: 'CHAIN', inputs: { q: 'x' }, outputs: 'y', startMs: 0, durMs: 5 }, t0).body);
  const app = await api.post<{ review_app_id: string }>('/api/2.0/managed-evals/review-apps', { experiment_id: '0' });
  await api.post(`/api/2.0/managed-evals/review-apps/${app.review_app_id}/labeling-sessions`, { name: 'bulk_review', assigned_users: [], labeling_schemas: [{ name: 'guidelines' }] });

  await page.goto(`${srv.url}/experiments/0/traces?filter=${encodeURIComponent("name = 'bulk'")}`);
  await expect(page.locator('tbody tr')).toHaveCount(50);
  await page.getByLabel('Select all traces on this page').check();
  const selectAll = page.getByRole('button', { name: /Select all 55 matching traces/ });
  await expect(selectAll).toBeVisible();
  await selectAll.click();
  await expect(page.getByText(/All 55 traces matching the filter are selected/)).toBeVisible();
  await shot(page, '23-select-all-matching');
  await page.getByRole('button', { name: /Actions \(55\)/ }).click();
  await page.getByRole('menuitem', { name: 'Add to labeling session' }).click();
  const dlg = page.getByRole('dialog', { name: 'Add to labeling session' });
  await dlg.getByRole('button', { name: 'Export to bulk_review' }).click();
  await expect(dlg.getByText(/Added 55 traces/)).toBeVisible();
  await dlg.getByRole('button', { name: 'Done' }).click();
});
