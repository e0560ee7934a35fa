import { fileURLToPath } from 'node:url';
import { gatewayClient } from '../lib/api';
import { expect, expectNoPageProblems, test } from '../lib/fixtures';

// One component per service; dependencies (S3, SMTP…) appear only when configured.
const SERVICES = ['auth', 'profile', 'integrations', 'recommender', 'web'] as const;
const SCREENSHOT = fileURLToPath(new URL('../test-results/status.png', import.meta.url));

test('the /status dashboard shows every component green', async ({ page, pageProblems }) => {
  const response = await page.goto('/status');
  expect(response, 'a response for /status').not.toBeNull();
  expect(response!.status()).toBe(200);

  for (const name of SERVICES) {
    const row = page.locator(`[data-component="${name}"]`);
    await expect(row, `one row for ${name}`).toHaveCount(1);
    await expect(row, `${name} is green`).toHaveAttribute('data-status', 'ok');
  }
  // Every row on the page, including configured dependencies, is green.
  const rows = page.locator('[data-component]');
  const statuses = await rows.evaluateAll((els) =>
    els.map((el) => `${el.getAttribute('data-component')}=${el.getAttribute('data-status')}`),
  );
  expect(statuses.filter((s) => !s.endsWith('=ok')), 'rows that are not ok').toEqual([]);

  const overall = page.locator('#overall');
  await expect(overall).toHaveCount(1);
  await expect(overall).toHaveAttribute('data-status', 'ok');

  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  expectNoPageProblems(pageProblems);
});

test('/health answers through the generated client; /internal/* is not reachable', async ({ baseURL, request }) => {
  // Through the test's request context (its TLS settings included).
  const gateway = gatewayClient(baseURL!, request);
  const { data, error, response } = await gateway.GET('/health');
  expect(response.status).toBe(200);
  expect(error).toBeUndefined();
  expect(data?.status).toBe('ok');
  const names = (data?.components ?? []).map((c) => c.name);
  for (const name of SERVICES) expect(names, `component ${name}`).toContain(name);
  for (const c of data?.components ?? []) expect(c.status, `component ${c.name}`).toBe('ok');
  expect(Number.isNaN(Date.parse(data!.checked_at)), 'checked_at is a timestamp').toBe(false);

  for (const path of ['/internal/anything', '/internal/users/00000000-0000-0000-0000-000000000000']) {
    const res = await request.get(path, { maxRedirects: 0 });
    expect(res.status(), `GET ${path}`).toBe(404);
  }
});
