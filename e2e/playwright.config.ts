// Playwright runs the end-to-end suite in Debian's Chromium (/usr/bin/chromium,
// never a downloaded browser) against the whole fleet, started from the debug
// build on its own port range with a fresh data directory, signing in with a
// real OpenID provider (op.mjs) standing in for Google.
//
//   cargo build --workspace && (cd e2e && npx playwright test)
//
// or simply `scripts/test-e2e.sh`.
import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, '..');

// Ports: gateway BASE, auth BASE+1, profile +2, integrations +3, recommender +4,
// web +5, sandbox Todoist +10, the OpenID provider standing in for Google +20.
// Far from the defaults (8080…) so a developer's running fleet does not
// collide with the tests.
const base = Number(process.env.ONETIP_E2E_PORT_BASE ?? 18080);
const port = (offset: number) => `127.0.0.1:${base + offset}`;
export const publicUrl = `http://${port(0)}`;
// The sandbox Todoist the fleet starts (TODOIST_CLIENT_ID is unset), whose
// consent page the connect test goes through.
export const todoistSandboxUrl = `http://${port(10)}`;

// Google's stand-in: a real, certified OpenID provider (op.mjs, oidc-provider
// 9) on its own loopback port. The fleet discovers it through
// GOOGLE_ISSUER_URL exactly as it would discover Google. Test-only
// credentials: the provider accepts this one client and nothing else.
export const oidcIssuer = `http://${port(20)}`;
const oidcClientId = 'onetip-e2e';
const oidcClientSecret = 'onetip-e2e-client-secret';

// Built beforehand by `cargo build --workspace`; honours CARGO_TARGET_DIR.
const targetDir = process.env.CARGO_TARGET_DIR
  ? isAbsolute(process.env.CARGO_TARGET_DIR)
    ? process.env.CARGO_TARGET_DIR
    : resolve(repoRoot, process.env.CARGO_TARGET_DIR)
  : join(repoRoot, 'target');
const fleetBin = process.env.ONETIP_BIN ?? join(targetDir, 'debug', 'onetip');

// The config is loaded again in every worker: create the data directory once,
// in the main process, and hand it down through the environment.
process.env.ONETIP_E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'onetip-e2e-'));
const dataDir = process.env.ONETIP_E2E_DATA_DIR;

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  globalTeardown: './lib/global-teardown.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  reporter: [
    [process.env.CI ? 'line' : 'list'],
    ['json', { outputFile: './playwright-report/results.json' }],
  ],
  use: {
    baseURL: publicUrl,
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
      ],
    },
  },
  projects: [{ name: 'chromium' }],
  // Started in this order (and stopped in reverse): the provider first, so
  // the fleet finds Google's stand-in from its first sign-in on.
  webServer: [
    {
      command: 'node op.mjs',
      cwd: here,
      url: `${oidcIssuer}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: 'ignore',
      stderr: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
      env: {
        PORT: String(base + 20),
        CLIENT_ID: oidcClientId,
        CLIENT_SECRET: oidcClientSecret,
        REDIRECT_URI: `${publicUrl}/auth/google/callback`,
        TOKEN_AUTH: 'client_secret_basic',
      },
    },
    {
      command: JSON.stringify(fleetBin),
      cwd: repoRoot,
      url: `${publicUrl}/health`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
      env: {
        APP_ENV: 'development',
        PUBLIC_URL: publicUrl,
        DATA_DIR: dataDir,
        GATEWAY_ADDR: port(0),
        AUTH_ADDR: port(1),
        PROFILE_ADDR: port(2),
        INTEGRATIONS_ADDR: port(3),
        RECOMMENDER_ADDR: port(4),
        WEB_ADDR: port(5),
        TODOIST_SANDBOX_ADDR: port(10),
        GATEWAY_URL: `http://${port(0)}`,
        AUTH_URL: `http://${port(1)}`,
        PROFILE_URL: `http://${port(2)}`,
        INTEGRATIONS_URL: `http://${port(3)}`,
        RECOMMENDER_URL: `http://${port(4)}`,
        WEB_URL: `http://${port(5)}`,
        GOOGLE_ISSUER_URL: oidcIssuer,
        GOOGLE_CLIENT_ID: oidcClientId,
        GOOGLE_CLIENT_SECRET: oidcClientSecret,
        RUST_LOG: process.env.RUST_LOG ?? 'warn',
      },
    },
  ],
});
