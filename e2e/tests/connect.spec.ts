// Connect Todoist end to end, in Chromium, against the whole fleet: a user
// signed in through the real OpenID provider opens /connect, taps "Connect
// Todoist", lands on the sandbox Todoist's consent page (the fleet starts it
// because TODOIST_CLIENT_ID is unset), approves, and comes back connected
// with their tasks listed. Then they disconnect, start again and deny: the
// page explains the denial and Todoist stays disconnected.
//
// The authorize URL the browser was sent to is captured and held to PKCE
// S256 and a `state`, even though the sandbox would accept a flow without.
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { todoistSandboxUrl } from '../playwright.config';
import { expect, expectNoPageProblems, test, type PageProblems } from '../lib/fixtures';
import { GOOGLE_FONTS, freshLogin, signIn } from '../lib/signin';

const SCREENSHOT = (name: string) => fileURLToPath(new URL(`../test-results/${name}.png`, import.meta.url));

/** A task as the sandbox's control API lists it (`GET /__fake/tasks`). */
interface FakeTask {
  content: string;
  checked?: boolean;
  is_deleted?: boolean;
}

/** Taps "Connect Todoist" and returns the authorize URL the browser was sent to. */
async function tapConnect(page: Page, problems: PageProblems): Promise<URL> {
  const authorize = page.waitForRequest(
    (r) => r.url().startsWith(`${todoistSandboxUrl}/oauth/authorize?`) && r.method() === 'GET',
    { timeout: 15_000 },
  );
  await page.getByRole('button', { name: 'Connect Todoist' }).click();
  const request = await authorize.catch((e: Error) => {
    // Chromium holds the form's redirect chain to the page's CSP form-action:
    // a policy without the sandbox's origin blocks the way to the consent page.
    throw new Error(
      `the browser never reached the consent page (${e.message}); ` +
        `CSP violations: ${JSON.stringify(problems.csp)}; console: ${JSON.stringify(problems.consoleErrors)}`,
    );
  });
  const url = new URL(request.url());
  // The sandbox's consent page, clearly labelled.
  await expect(page.getByRole('heading', { name: 'Todoist sandbox' })).toBeVisible();
  expect(new URL(page.url()).origin, 'on the sandbox Todoist').toBe(todoistSandboxUrl);
  return url;
}

test('a signed-in user connects Todoist through the sandbox, sees their tasks, disconnects, and a denial is explained', async ({
  page,
  baseURL,
  pageProblems,
  request,
}) => {
  test.setTimeout(90_000);
  const origin = new URL(baseURL!).origin;

  await signIn(page, { origin, returnTo: '/connect' });

  // Todoist, not connected, one button.
  const todoist = page.locator('[data-connector="todoist"]');
  await expect(todoist).toHaveCount(1);
  await expect(todoist).toHaveAttribute('data-state', 'disconnected');
  await expect(todoist.getByRole('button', { name: 'Connect Todoist' })).toBeVisible();
  await expect(page.locator('#tasks')).toHaveCount(0);
  await expect(page.locator('#outcome')).toHaveCount(0);

  // "Connect Todoist": web asks the API, and the browser goes to the consent page.
  const authorize = await tapConnect(page, pageProblems);
  const params = authorize.searchParams;
  expect(authorize.pathname).toBe('/oauth/authorize');
  expect(params.get('code_challenge_method'), 'PKCE S256').toBe('S256');
  expect(params.get('code_challenge') ?? '', 'a S256 challenge: 43 base64url characters').toMatch(
    /^[A-Za-z0-9_-]{43}$/,
  );
  expect(params.get('state') ?? '', 'a state').toMatch(/^[A-Za-z0-9_-]{16,}$/);
  expect(params.get('response_type')).toBe('code');
  expect(params.get('client_id')).toBeTruthy();
  expect(params.get('redirect_uri')).toBe(`${origin}/connect/todoist/callback`);
  await page.screenshot({ path: SCREENSHOT('todoist-consent') });

  // A sandbox account of this run's own, so its seeded tasks are known.
  const account = freshLogin('sandbox');
  await page.locator('input[name=account]').fill(account);
  await page.getByRole('button', { name: 'Approve' }).click();

  // Back on /connect, connected, saying so.
  await page.waitForURL(`${origin}/connect?connected=todoist`);
  const outcome = page.locator('#outcome');
  await expect(outcome).toHaveAttribute('data-kind', 'ok');
  await expect(outcome).toHaveText('Todoist is connected.');
  await expect(todoist).toHaveAttribute('data-state', 'connected');
  await expect(todoist).toContainText('connected since');
  await expect(todoist.getByRole('button', { name: 'Disconnect' })).toBeVisible();
  await expect(todoist.getByRole('button', { name: 'Connect Todoist' })).toHaveCount(0);

  // Their tasks, listed: the sandbox seeds 52–60 per account.
  const items = page.locator('#tasks > li');
  const shown = await items.count();
  expect(shown, 'a plausible number of tasks').toBeGreaterThan(0);
  expect(shown).toBeLessThanOrEqual(100);
  await expect(page.locator('#task-count')).toHaveAttribute('data-count', /^[1-9]\d*$/);
  const fake = await request.get(`${todoistSandboxUrl}/__fake/tasks?account=${encodeURIComponent(account)}`);
  expect(fake.status()).toBe(200);
  const body = (await fake.json()) as FakeTask[] | { results?: FakeTask[]; tasks?: FakeTask[] };
  const seeded = (Array.isArray(body) ? body : (body.results ?? body.tasks ?? [])).filter(
    (t) => !t.checked && !t.is_deleted,
  );
  expect(seeded.length, 'the sandbox seeded open tasks for the account').toBeGreaterThan(0);
  const known = seeded[0]!.content;
  const titles = await page.locator('#tasks .task-title').allTextContents();
  expect(titles, 'a task the sandbox seeded for this account').toContain(known);
  await expect(page.locator('#tasks').getByText(known, { exact: true }).first()).toBeVisible();
  expect(shown, 'every open task listed').toBe(Math.min(seeded.length, 100));
  await page.screenshot({ path: SCREENSHOT('connect-connected'), fullPage: true });

  // Disconnect: a plain form to web, which calls DELETE through the gateway.
  await todoist.getByRole('button', { name: 'Disconnect' }).click();
  await page.waitForURL(`${origin}/connect?disconnected=todoist`);
  await expect(outcome).toHaveAttribute('data-kind', 'ok');
  await expect(outcome).toHaveText('Todoist is disconnected.');
  await expect(todoist).toHaveAttribute('data-state', 'disconnected');
  await expect(page.locator('#tasks')).toHaveCount(0);

  // Connect again, and deny on the sandbox's page.
  const again = await tapConnect(page, pageProblems);
  expect(again.searchParams.get('state'), 'a fresh state for a new attempt').not.toBe(params.get('state'));
  await page.getByRole('button', { name: 'Deny' }).click();
  await page.waitForURL(`${origin}/connect?connector=todoist&error=access_denied`);
  await expect(outcome).toHaveAttribute('data-kind', 'error');
  await expect(outcome).toContainText('You declined on Todoist');
  await expect(todoist).toHaveAttribute('data-state', 'disconnected');
  await expect(todoist.getByRole('button', { name: 'Connect Todoist' })).toBeVisible();
  await expect(page.locator('#tasks')).toHaveCount(0);
  await page.screenshot({ path: SCREENSHOT('connect-denied') });

  // Our pages stayed within the CSP (the connect form's redirect to the
  // sandbox included) and error-free; the provider's and the sandbox's pages
  // are other origins, held only to staying on loopback.
  expectNoPageProblems(pageProblems, { origin });
  expect(
    pageProblems.blockedRequests.filter((url) => !GOOGLE_FONTS.test(url)),
    'requests that tried to leave loopback, other than the provider page font',
  ).toEqual([]);
});
