// Sign-in end to end with a REAL OpenID provider standing in for Google
// (e2e/op.mjs, oidc-provider 9, started by playwright.config.ts before the
// fleet, which finds it through GOOGLE_ISSUER_URL): the provider's own login
// and consent pages, PKCE, state, nonce, RS256 ID tokens. A user signs in,
// lands on `/`, loads their profile; after sign-out their old cookies no
// longer work.
import { fileURLToPath } from 'node:url';
import { request as playwrightRequest, type Cookie } from '@playwright/test';
import { expect, expectNoPageProblems, isLoopback, test } from '../lib/fixtures';
import { GOOGLE_FONTS, accountOf, completeProviderLogin, freshLogin } from '../lib/signin';

const SCREENSHOT = (name: string) => fileURLToPath(new URL(`../test-results/${name}.png`, import.meta.url));

/** Our session cookies (the provider's own cookies share the host 127.0.0.1). */
const SESSION_COOKIES = /^(__Host-)?onetip_(at|rt)$/;

test('a user signs in with the OpenID provider, loads their profile, signs out, and the old cookies stop working', async ({
  page,
  context,
  baseURL,
  ignoreHTTPSErrors,
  pageProblems,
}) => {
  const origin = new URL(baseURL!).origin;
  // A fresh login each run: the login becomes the provider's `sub`.
  const { login, email, name } = accountOf(freshLogin());

  // Signed out, `/` sends the browser to the sign-in page.
  await page.goto('/');
  await expect(page).toHaveURL(/\/signin\?return_to=(%2F|\/)$/);
  await expect(page.locator('#signin')).toBeVisible();
  await expect(page.locator('#user')).toHaveCount(0);
  await expect(page.locator('#dev-signin'), 'Google is configured: no development form').toHaveCount(0);
  await page.screenshot({ path: SCREENSHOT('signin') });

  // "Sign in with Google" leads to the provider's own login page.
  await page.getByRole('link', { name: 'Sign in with Google' }).click();
  await expect(page.locator('input[name=login]')).toBeVisible();
  const providerOrigin = new URL(page.url()).origin;
  expect(providerOrigin, 'the provider is another origin').not.toBe(origin);
  expect(isLoopback(page.url()), 'the provider is on loopback').toBe(true);
  // Login, consent, and back through the callback (the shared helper).
  await completeProviderLogin(page, login, origin);
  await page.waitForURL(`${origin}/`);

  // Home, signed in: the tip page names the user and offers sign-out.
  await expect(page.locator('#user')).toHaveText(name);
  await expect(page.locator('.tip')).toHaveCount(1);
  await expect(page.locator('#signout')).toBeVisible();
  await page.screenshot({ path: SCREENSHOT('signed-in-tip') });

  // The session cookies are HttpOnly and scoped to the whole site.
  const oldCookies = (await context.cookies(origin)).filter((c) => SESSION_COOKIES.test(c.name));
  expect(oldCookies.map((c) => c.name).sort()).toEqual(['onetip_at', 'onetip_rt']);
  for (const c of oldCookies) {
    expect(c.httpOnly, `${c.name} is HttpOnly`).toBe(true);
    expect(c.path, `${c.name} path`).toBe('/');
    expect(c.sameSite, `${c.name} SameSite`).toBe('Lax');
  }

  // The profile, through the gateway with the browser's cookies.
  const me = await page.request.get('/api/me');
  expect(me.status()).toBe(200);
  const profile = await me.json();
  expect(profile.email).toBe(email);
  expect(profile.name).toBe(name);

  // The header on the framed pages shows the same user.
  await page.goto('/connect');
  await expect(page.locator('#user')).toHaveText(name);
  await page.screenshot({ path: SCREENSHOT('signed-in-connect') });

  // Sign out: a plain form POST, answered with the sign-in page.
  await page.locator('#signout').click();
  await page.waitForURL(/\/signin$/);
  await expect(page.locator('#signin')).toBeVisible();
  await expect(page.locator('#user')).toHaveCount(0);
  expect((await context.cookies(origin)).filter((c) => SESSION_COOKIES.test(c.name))).toEqual([]);

  // Replaying the old cookies (access AND refresh) no longer works: the
  // session was revoked server-side, and the gateway learns it within seconds.
  const replay = await playwrightRequest.newContext({
    baseURL: origin,
    ignoreHTTPSErrors,
    extraHTTPHeaders: { cookie: cookieHeader(oldCookies) },
  });
  try {
    await expect
      .poll(async () => (await replay.get('/api/me', { maxRedirects: 0 })).status(), {
        message: 'GET /api/me with the old cookies',
        timeout: 10_000,
        intervals: [250, 500, 1_000],
      })
      .toBe(401);
    const home = await replay.get('/', { maxRedirects: 0 });
    expect(home.status(), 'GET / with the old cookies').toBe(303);
    expect(home.headers()['location']).toMatch(/^\/signin(\?|$)/);
    expect(home.headers()['set-cookie'] ?? '', 'no new session from the old refresh token').not.toMatch(
      /onetip_at=[^;]/,
    );
  } finally {
    await replay.dispose();
  }

  // The same in a real browser: a fresh context holding only the old cookies.
  const fresh = await page.context().browser()!.newContext({ baseURL: origin, ignoreHTTPSErrors });
  try {
    await fresh.route('**/*', (route) =>
      isLoopback(route.request().url()) ? route.continue() : route.abort('blockedbyclient'),
    );
    await fresh.addCookies(oldCookies);
    const again = await fresh.newPage();
    await again.goto('/');
    await expect(again).toHaveURL(/\/signin\?return_to=(%2F|\/)$/);
    await expect(again.locator('#user')).toHaveCount(0);
  } finally {
    await fresh.close();
  }

  // Our pages stayed within the CSP and error-free; the provider's pages are
  // another origin, held only to staying on loopback (its Google font aside).
  expectNoPageProblems(pageProblems, { origin });
  expect(
    pageProblems.blockedRequests.filter((url) => !GOOGLE_FONTS.test(url)),
    'requests that tried to leave loopback, other than the provider page font',
  ).toEqual([]);
});

test('the development sign-in form is not offered when Google is configured', async ({
  page,
  request,
  pageProblems,
}) => {
  await page.goto('/signin?return_to=%2Fconnect');
  await expect(page.getByRole('link', { name: 'Sign in with Google' })).toHaveAttribute(
    'href',
    '/auth/google/start?return_to=%2Fconnect',
  );
  await expect(page.locator('#dev-signin')).toHaveCount(0);
  await expect(page.locator('form[action="/auth/dev/signin"]')).toHaveCount(0);
  await expect(page.getByText('Development only')).toHaveCount(0);
  expectNoPageProblems(pageProblems);

  // auth does not serve the development routes either.
  const form = await request.get('/auth/dev/signin', { maxRedirects: 0 });
  expect(form.status()).toBe(404);
  const post = await request.post('/auth/dev/signin', {
    form: { email: 'intruder@example.test' },
    maxRedirects: 0,
  });
  expect([404, 405]).toContain(post.status());
  expect(post.headers()['set-cookie'] ?? '').not.toMatch(/onetip_(at|rt)=[^;]/);
});

test('a foreign return_to is dropped from the sign-in page', async ({ page, pageProblems }) => {
  for (const evil of ['https://evil.example', '//evil.example', '/\\evil.example']) {
    await page.goto(`/signin?return_to=${encodeURIComponent(evil)}`);
    await expect(page.getByRole('link', { name: 'Sign in with Google' })).toHaveAttribute(
      'href',
      '/auth/google/start',
    );
  }
  expectNoPageProblems(pageProblems);
});

function cookieHeader(cookies: Cookie[]): string {
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}
