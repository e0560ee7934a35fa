// The guards every other test relies on: requests that would leave loopback
// are aborted and recorded, and CSP violations and console errors are caught.
import { expect, test } from '../lib/fixtures';

test('the fixture aborts requests to non-loopback hosts and records page problems', async ({ page, pageProblems }) => {
  // A loopback page of our own, served by the route itself (nothing listens on :9).
  await page.route('http://127.0.0.1:9/probe', (route) =>
    route.fulfill({
      contentType: 'text/html',
      // script-src as strict as the app's: the recording must survive it.
      headers: { 'Content-Security-Policy': "script-src 'self'; img-src 'none'" },
      body: '<!doctype html><title>probe</title><img src="http://127.0.0.1:9/pixel.png">',
    }),
  );
  await page.goto('http://127.0.0.1:9/probe');
  const outcome = await page.evaluate(() =>
    fetch('https://example.com/onetip-e2e-probe').then(
      () => 'reached',
      () => 'refused',
    ),
  );
  expect(outcome).toBe('refused');
  expect(pageProblems.blockedRequests).toEqual(['https://example.com/onetip-e2e-probe']);
  // Each problem knows the page it happened on, so a test can hold one origin to them.
  expect(pageProblems.pagesOf.blockedRequests).toEqual(['http://127.0.0.1:9/probe']);

  await expect.poll(() => pageProblems.csp.length).toBeGreaterThan(0);
  expect(pageProblems.csp[0]).toMatchObject({
    documentURI: 'http://127.0.0.1:9/probe',
    directive: 'img-src',
    blockedURI: 'http://127.0.0.1:9/pixel.png',
  });

  await page.evaluate(() => console.error('onetip-e2e console probe'));
  await expect.poll(() => pageProblems.consoleErrors.some((m) => m.includes('onetip-e2e console probe'))).toBe(true);
});
