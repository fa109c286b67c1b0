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

test('experiments, permissions, API tokens, notifications and the audit log', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const api = client(srv.url);

  // ---- Create an experiment from the switcher; the app switches to it.
  await page.goto(`${srv.url}/experiments/0/traces`);
  await page.getByLabel('Experiment', { exact: true }).selectOption({ label: 'New experiment…' });
  let dlg = page.getByRole('dialog', { name: 'New experiment' });
  await dlg.getByLabel('Name').fill('billing-bot');
  await shot(page, '30-experiment-create');
  await dlg.getByRole('button', { name: 'Create experiment' }).click();
  await expect(page).toHaveURL(/\/experiments\/\d+\/traces$/);
  const expId = /\/experiments\/(\d+)\//.exec(page.url())![1];
  expect(expId).not.toBe('0');
  await expect(page.getByLabel('Experiment', { exact: true })).toHaveValue(expId);
  await expect(page.getByLabel('Experiment', { exact: true }).locator('option:checked')).toHaveText('billing-bot');

  // ---- The list (All experiments…), and a rename.
  await page.getByLabel('Experiment', { exact: true }).selectOption({ label: 'All experiments…' });
  await expect(page).toHaveURL(/\/experiments$/);
  const table = page.getByTestId('experiments-table');
  await expect(table.locator('tr[data-experiment="billing-bot"]')).toContainText('current');
  await page.getByRole('button', { name: 'Rename billing-bot' }).click();
  dlg = page.getByRole('dialog', { name: 'Rename “billing-bot”' });
  await dlg.getByLabel('Name').fill('Default');
  await dlg.getByRole('button', { name: 'Rename' }).click();
  await expect(dlg.getByRole('alert')).toContainText('already exists');
  await dlg.getByLabel('Name').fill('billing-assistant');
  await dlg.getByRole('button', { name: 'Rename' }).click();
  await expect(dlg).toHaveCount(0);
  await expect(table.locator('tr[data-experiment="billing-assistant"]')).toBeVisible();
  await expect(page.getByLabel('Experiment', { exact: true }).locator(`option[value="${expId}"]`)).toHaveText('billing-assistant');
  await shot(page, '31-experiments');

  // ---- Settings → Permissions: grant by email.
  await page.getByRole('link', { name: 'Permissions of billing-assistant' }).click();
  await expect(page).toHaveURL(new RegExp(`/experiments/${expId}/settings$`));
  const grants = page.getByTestId('grants-table');
  await expect(grants.locator('tr[data-reason="creator"]')).toContainText('admin@localhost');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByRole('button', { name: 'Grant' }).click();
  await expect(page.getByRole('alert')).toContainText('not one email');
  await page.getByLabel('Email').fill('Dana@Example.com');
  await page.getByLabel('Permission', { exact: true }).selectOption('EDIT');
  await page.getByRole('button', { name: 'Grant' }).click();
  const dana = grants.locator('tr[data-grant="dana@example.com"]');
  await expect(dana).toContainText('EDIT');
  await expect(dana).toContainText('pending first sign-in');
  const listed = await api.get<{ grants: { email: string; permission: string }[] }>(`/api/assay/v1/experiments/${expId}/permissions`);
  expect(listed.grants).toContainEqual(expect.objectContaining({ email: 'dana@example.com', permission: 'EDIT' }));

  // ---- A session in the new experiment, shared with myself: a notification, opened in the app.
  await api.post('/v1/traces', otlpTrace({ name: 'billing', type: 'CHAIN', inputs: { q: 'Why was I charged twice?' }, outputs: 'One charge is a pending hold; it drops off in 3 days.', startMs: 0, durMs: 20 }, Date.now() - 60_000).body).catch(() => undefined);
  const app = await api.post<{ review_app_id: string }>('/api/2.0/managed-evals/review-apps', { experiment_id: expId });
  const sess = await api.post<{ labeling_session_id: string }>(`/api/2.0/managed-evals/review-apps/${app.review_app_id}/labeling-sessions`, {
    name: 'billing_review',
    assigned_users: [],
    labeling_schemas: [{ name: 'guidelines' }],
  });
  await page.goto(`${srv.url}/experiments/${expId}/sessions/${sess.labeling_session_id}`);
  await expect(page.getByTestId('notifications-unread')).toHaveCount(0);
  await page.getByRole('button', { name: 'Share', exact: true }).click();
  dlg = page.getByRole('dialog');
  await dlg.getByLabel('Add reviewers').fill('admin@localhost');
  await dlg.getByLabel('Add reviewers').press('Enter');
  await dlg.getByRole('button', { name: 'Save' }).click();
  await expect(dlg).toHaveCount(0);
  await expect(page.getByTestId('notifications-unread')).toHaveText('1');
  await page.getByRole('button', { name: 'Notifications, 1 unread' }).click();
  const panel = page.getByTestId('notifications-panel');
  const note = panel.getByTestId('notification').first();
  await expect(note).toContainText('billing_review');
  await shot(page, '32-notifications');
  await note.getByRole('link').click();
  await expect(page).toHaveURL(`${srv.url}/review/${sess.labeling_session_id}`);
  await expect(panel).toHaveCount(0);
  await expect(page.getByTestId('notifications-unread')).toHaveCount(0);
  const notes = await api.get<{ notifications: { read_at?: number }[] }>('/api/assay/v1/notifications');
  expect(notes.notifications[0].read_at).toBeTruthy();

  // ---- The reviewer grant shows its session and is not revocable here.
  await page.goto(`${srv.url}/experiments/${expId}/settings`);
  const reviewer = grants.locator('tr[data-reason="reviewer"]');
  await expect(reviewer).toContainText('billing_review');
  await expect(reviewer.getByRole('button', { name: /Revoke/ })).toHaveCount(0);
  await expect(reviewer).toContainText('via Share');
  await shot(page, '33-permissions');
  // Revoke Dana's grant.
  await page.getByRole('button', { name: 'Revoke EDIT from dana@example.com' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
  await expect(dana).toHaveCount(0);

  // ---- API tokens, from the user menu: the secret is shown once, works, and stops at revoke.
  await page.getByRole('button', { name: /^Account/ }).click();
  await expect(page.getByRole('menuitem', { name: 'All experiments' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('menuitem', { name: 'API tokens' })).toBeFocused();
  await shot(page, '38-user-menu');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu')).toHaveCount(0);
  await page.getByRole('button', { name: /^Account/ }).click();
  await page.getByRole('menuitem', { name: 'API tokens' }).click();
  await expect(page.getByRole('heading', { name: 'API tokens' })).toBeVisible();
  await expect(page.getByText('No API tokens')).toBeVisible();
  await page.getByRole('button', { name: 'Create token' }).first().click();
  dlg = page.getByRole('dialog', { name: 'Create API token' });
  await dlg.getByLabel('Name').fill('billing-ci');
  await dlg.getByLabel('Expires').selectOption('30d');
  await dlg.getByRole('button', { name: 'Create token' }).click();
  dlg = page.getByRole('dialog', { name: 'Token “billing-ci” created' });
  const secret = (await dlg.getByTestId('token-secret').textContent())!.trim();
  expect(secret.length).toBeGreaterThan(20);
  await expect(dlg.getByTestId('token-usage')).toContainText(`MLFLOW_TRACKING_TOKEN=${secret}`);
  await shot(page, '34-token-created');
  const search = (tok: string) =>
    fetch(`${srv.url}/api/2.0/mlflow/experiments/search`, { method: 'POST', headers: { Authorization: `Bearer ${tok}`, 'Content-Type': 'application/json' }, body: '{}' });
  const ok = await search(secret);
  expect(ok.status).toBe(200);
  expect(((await ok.json()) as { experiments: { name: string }[] }).experiments.map((e) => e.name)).toContain('billing-assistant');
  await dlg.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByText(secret)).toHaveCount(0);
  const row = page.getByTestId('tokens-table').locator('tr[data-token="billing-ci"]');
  await expect(row).toBeVisible();
  await shot(page, '35-tokens');
  await page.getByRole('button', { name: 'Revoke billing-ci' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
  await expect(row).toHaveCount(0);
  await expect(page.getByText('No API tokens')).toBeVisible();
  expect((await search(secret)).status).toBe(401);

  // ---- The audit log (the local admin is a server admin), with before/after.
  await page.getByRole('button', { name: /^Account/ }).click();
  await page.getByRole('menuitem', { name: 'Audit log' }).click();
  const audit = page.getByTestId('audit-table');
  const update = audit.locator('tr[data-event="session.update"]').first();
  await expect(update).toBeVisible();
  await expect(audit.locator('tr[data-event="session.create"]').first()).toBeVisible();
  await update.getByRole('button', { name: 'Details' }).click();
  await expect(page.getByTestId('audit-after').first()).toContainText('admin@localhost');
  await shot(page, '36-audit');

  // ---- The Traces filter suggests the AND-only grammar.
  await page.goto(`${srv.url}/experiments/${expId}/traces`);
  await expect(page.getByLabel('Filter traces')).toHaveAttribute('placeholder', /tags\.topic = 'billing' AND status = 'OK'/);
  await expect(page.getByLabel('Filter traces')).not.toHaveAttribute('placeholder', / or /);
  expect(errors).toEqual([]);
});
