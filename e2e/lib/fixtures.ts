// The `test` every spec imports. Every browser context:
//  * aborts each request to a host other than loopback (nothing may leave the
//    machine; Chromium's --host-resolver-rules is the second line of defence);
//  * records Content-Security-Policy violations, console errors and uncaught
//    page errors in `pageProblems`, for the test to assert on, each with the
//    page it happened on (so a test that visits another origin, such as the
//    OpenID provider's login page, can hold only our own pages to them).
import { test as base, expect, type Request } from '@playwright/test';

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
  /** The page the violation happened on. */
  documentURI: string;
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
  /** The page each entry of the list of the same name came from, in the same order. */
  pagesOf: { consoleErrors: string[]; pageErrors: string[]; blockedRequests: string[] };
}

type Fixtures = { pageProblems: PageProblems };

export const test = base.extend<Fixtures>({
  pageProblems: async ({}, use) => {
    await use({
      csp: [],
      consoleErrors: [],
      pageErrors: [],
      blockedRequests: [],
      pagesOf: { consoleErrors: [], pageErrors: [], blockedRequests: [] },
    });
  },

  context: async ({ context, pageProblems }, use) => {
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (isLoopback(url)) return route.continue();
      pageProblems.blockedRequests.push(url);
      pageProblems.pagesOf.blockedRequests.push(pageOf(route.request()));
      return route.abort('blockedbyclient');
    });
    await context.exposeBinding('__onetipCspViolation', (_source, v: CspViolation) => {
      pageProblems.csp.push(v);
    });
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as unknown as { __onetipCspViolation: (v: unknown) => void }).__onetipCspViolation({
          documentURI: e.documentURI,
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
        pageProblems.pagesOf.consoleErrors.push(msg.page()?.url() ?? '');
      }
    });
    context.on('weberror', (err) => {
      pageProblems.pageErrors.push(String(err.error()));
      pageProblems.pagesOf.pageErrors.push(err.page()?.url() ?? '');
    });
    await use(context);
  },
});

/** The URL of the page (or frame) a request was made from; '' when unknown. */
function pageOf(request: Request): string {
  try {
    return request.frame().url();
  } catch {
    return ''; // service workers have no frame
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

/** Asserts that nothing went wrong on the page: no CSP violation, console error,
 *  uncaught error, or request that tried to leave loopback. With `origin`, only
 *  what happened on pages of that origin counts (a test that passes through
 *  another site, such as the OpenID provider, holds only our pages to this). */
export function expectNoPageProblems(problems: PageProblems, options: { origin?: string } = {}) {
  const ours = (page: string | undefined) =>
    options.origin === undefined || originOf(page ?? '') === options.origin;
  const keep = <T>(list: T[], pageOfEntry: (entry: T, i: number) => string | undefined) =>
    list.filter((entry, i) => ours(pageOfEntry(entry, i)));
  const { pagesOf } = problems;
  expect
    .soft(keep(problems.csp, (v) => v.documentURI), 'Content-Security-Policy violations')
    .toEqual([]);
  expect
    .soft(keep(problems.consoleErrors, (_, i) => pagesOf.consoleErrors[i]), 'console errors')
    .toEqual([]);
  expect
    .soft(keep(problems.pageErrors, (_, i) => pagesOf.pageErrors[i]), 'uncaught page errors')
    .toEqual([]);
  expect
    .soft(
      keep(problems.blockedRequests, (_, i) => pagesOf.blockedRequests[i]),
      'requests to non-loopback hosts',
    )
    .toEqual([]);
}

export { expect };
