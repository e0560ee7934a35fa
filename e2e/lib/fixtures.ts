// The `test` every spec imports. Every browser context:
//  * aborts each request to a host other than loopback (nothing may leave the
//    machine; Chromium's --host-resolver-rules is the second line of defence);
//  * records Content-Security-Policy violations, console errors and uncaught
//    page errors in `pageProblems`, for the test to assert on.
import { test as base, expect } from '@playwright/test';

export const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLoopback(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  // data:, blob: and about: never leave the browser.
  if (['data:', 'blob:', 'about:'].includes(parsed.protocol)) return true;
  return LOOPBACK_HOSTS.has(parsed.hostname) || /^127\.\d+\.\d+\.\d+$/.test(parsed.hostname);
}

export interface CspViolation {
  directive: string;
  blockedURI: string;
  sourceFile: string;
  lineNumber: number;
  disposition: string;
}

export interface PageProblems {
  csp: CspViolation[];
  consoleErrors: string[];
  pageErrors: string[];
  blockedRequests: string[];
}

type Fixtures = { pageProblems: PageProblems };

export const test = base.extend<Fixtures>({
  pageProblems: async ({}, use) => {
    await use({ csp: [], consoleErrors: [], pageErrors: [], blockedRequests: [] });
  },

  context: async ({ context, pageProblems }, use) => {
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (isLoopback(url)) return route.continue();
      pageProblems.blockedRequests.push(url);
      return route.abort('blockedbyclient');
    });
    await context.exposeBinding('__onetipCspViolation', (_source, v: CspViolation) => {
      pageProblems.csp.push(v);
    });
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as unknown as { __onetipCspViolation: (v: unknown) => void }).__onetipCspViolation({
          directive: e.effectiveDirective || e.violatedDirective,
          blockedURI: e.blockedURI,
          sourceFile: e.sourceFile,
          lineNumber: e.lineNumber,
          disposition: e.disposition,
        });
      });
    });
    context.on('console', (msg) => {
      if (msg.type() === 'error') {
        const loc = msg.location();
        pageProblems.consoleErrors.push(`${msg.text()} (${loc.url}:${loc.lineNumber})`);
      }
    });
    context.on('weberror', (err) => pageProblems.pageErrors.push(String(err.error())));
    await use(context);
  },
});

/** Asserts that nothing went wrong on the page: no CSP violation, console error,
 *  uncaught error, or request that tried to leave loopback. */
export function expectNoPageProblems(problems: PageProblems) {
  expect.soft(problems.csp, 'Content-Security-Policy violations').toEqual([]);
  expect.soft(problems.consoleErrors, 'console errors').toEqual([]);
  expect.soft(problems.pageErrors, 'uncaught page errors').toEqual([]);
  expect.soft(problems.blockedRequests, 'requests to non-loopback hosts').toEqual([]);
}

export { expect };
