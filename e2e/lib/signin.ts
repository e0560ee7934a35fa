// Signing in through the real OpenID provider (e2e/op.mjs) standing in for
// Google, shared by every spec that needs a signed-in user: the provider's
// own login and consent pages, then back through auth's callback.
import type { Page } from '@playwright/test';
import { expect } from './fixtures';

/** The provider's pages import a web font from Google; the fixture aborts
 *  that request. Nothing else may try to leave loopback. */
export const GOOGLE_FONTS = /^https:\/\/fonts\.(googleapis|gstatic)\.com\//;

/** A fresh login for this run: the provider makes it the account's `sub`. */
export function freshLogin(prefix = 'e2e'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

/** What the provider's `findAccount` (op.mjs) makes of a login. */
export function accountOf(login: string) {
  return { login, email: `${login}@example.test`, name: `Test ${login}` };
}

/**
 * On the provider's login page (after "Sign in with Google"): logs in as
 * `login`, gives consent, and waits until the browser is back on `origin`.
 */
export async function completeProviderLogin(page: Page, login: string, origin: string): Promise<void> {
  const loginField = page.locator('input[name=login]');
  await expect(loginField).toBeVisible();
  await loginField.fill(login);
  await page.locator('input[name=password]').fill('any password will do');
  await page.locator('button[type=submit]').click();
  // The provider asks for consent; "Continue" sends us back through the callback.
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((url) => url.origin === origin);
}

/**
 * Signs in from scratch as `login` and lands on `returnTo` (a local path),
 * signed in: the sign-in page, "Sign in with Google", the provider's pages.
 */
export async function signIn(
  page: Page,
  options: { login?: string; returnTo?: string; origin: string },
): Promise<ReturnType<typeof accountOf>> {
  const login = options.login ?? freshLogin();
  const returnTo = options.returnTo ?? '/';
  await page.goto(`/signin?return_to=${encodeURIComponent(returnTo)}`);
  await page.getByRole('link', { name: 'Sign in with Google' }).click();
  await completeProviderLogin(page, login, options.origin);
  await page.waitForURL(`${options.origin}${returnTo}`);
  const account = accountOf(login);
  await expect(page.locator('#user').first()).toHaveText(account.name);
  return account;
}
