// Playwright runs the end-to-end suite in Debian's Chromium (/usr/bin/chromium,
// never a downloaded browser) against the whole fleet, started from the debug
// build on its own port range with a fresh data directory, signing in with a
// real OpenID provider (op.mjs) standing in for Google.
//
// Two topologies run the same specs:
//  * one process (the default): the `onetip` binary, every service inside it,
//    on 127.0.0.1:18080-18085, sandbox Todoist 18090, provider 18100;
//  * ONETIP_E2E_TOPOLOGY=production: every service its own process with its
//    own PostgreSQL database, events over NATS, Caddy in front with the
//    repository's Caddyfile on https://localhost:18280 (lib/prod-topology.mjs);
//    the browser talks to Caddy only. Ports 18280-18310.
//
//   cargo build --workspace && (cd e2e && npx playwright test)
//
// or simply `scripts/test-e2e.sh` (and `scripts/test-e2e-production.sh`).
import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, '..');

export const topology: 'one-process' | 'production' =
  process.env.ONETIP_E2E_TOPOLOGY === 'production' ? 'production' : 'one-process';
const production = topology === 'production';

// Ports: gateway BASE, auth BASE+1, profile +2, integrations +3, recommender +4,
// web +5, sandbox Todoist +10, the OpenID provider standing in for Google +20.
// In the production topology Caddy takes BASE (HTTPS) and BASE+1 (its plain
// HTTP), and the services move up by 10. Far from the defaults (8080…) so a
// developer's running fleet does not collide with the tests.
const base = Number(
  production ? (process.env.ONETIP_E2E_PROD_PORT_BASE ?? 18280) : (process.env.ONETIP_E2E_PORT_BASE ?? 18080),
);
const shift = production ? 10 : 0;
const port = (offset: number) => `127.0.0.1:${base + offset}`;
const serviceAddr = {
  gateway: port(shift + 0),
  auth: port(shift + 1),
  profile: port(shift + 2),
  integrations: port(shift + 3),
  recommender: port(shift + 4),
  web: port(shift + 5),
};
// What the browser uses: the gateway itself, or Caddy on `localhost` (a
// name, so its internal CA issues a certificate for it).
export const publicUrl = production ? `https://localhost:${base}` : `http://${serviceAddr.gateway}`;
// The sandbox Todoist the fleet starts (TODOIST_CLIENT_ID is unset), whose
// consent page the connect test goes through.
export const todoistSandboxUrl = `http://${port(shift + 10)}`;
// web's own /health, off the public path (a measurement's baseline).
export const webHealthUrl = `http://${serviceAddr.web}/health`;
// The ports whose listening processes make up the fleet (for CPU accounting):
// the one process, or Caddy and each service.
export const fleetPorts = production
  ? [base, ...Object.values(serviceAddr).map((a) => Number(a.split(':')[1]))]
  : [base];

// Google's stand-in: a real, certified OpenID provider (op.mjs, oidc-provider
// 9) on its own loopback port. The fleet discovers it through
// GOOGLE_ISSUER_URL exactly as it would discover Google. Test-only
// credentials: the provider accepts this one client and nothing else.
export const oidcIssuer = `http://${port(shift + 20)}`;
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

const google = {
  GOOGLE_ISSUER_URL: oidcIssuer,
  GOOGLE_CLIENT_ID: oidcClientId,
  GOOGLE_CLIENT_SECRET: oidcClientSecret,
};

// The whole fleet in one process.
const oneProcess = {
  command: JSON.stringify(fleetBin),
  cwd: repoRoot,
  url: `${publicUrl}/health`,
  env: {
    APP_ENV: 'development',
    PUBLIC_URL: publicUrl,
    DATA_DIR: dataDir,
    GATEWAY_ADDR: serviceAddr.gateway,
    AUTH_ADDR: serviceAddr.auth,
    PROFILE_ADDR: serviceAddr.profile,
    INTEGRATIONS_ADDR: serviceAddr.integrations,
    RECOMMENDER_ADDR: serviceAddr.recommender,
    WEB_ADDR: serviceAddr.web,
    TODOIST_SANDBOX_ADDR: port(10),
    GATEWAY_URL: `http://${serviceAddr.gateway}`,
    AUTH_URL: `http://${serviceAddr.auth}`,
    PROFILE_URL: `http://${serviceAddr.profile}`,
    INTEGRATIONS_URL: `http://${serviceAddr.integrations}`,
    RECOMMENDER_URL: `http://${serviceAddr.recommender}`,
    WEB_URL: `http://${serviceAddr.web}`,
    ...google,
    RUST_LOG: process.env.RUST_LOG ?? 'warn',
  },
};

// The production topology (lib/prod-topology.mjs): its /health is the
// gateway's, through Caddy, green only when every service, PostgreSQL and
// NATS are.
const productionTopology = {
  command: 'node lib/prod-topology.mjs',
  cwd: here,
  url: `${publicUrl}/health`,
  ignoreHTTPSErrors: true,
  env: {
    ONETIP_BIN_DIR: process.env.ONETIP_BIN_DIR ?? join(targetDir, 'debug'),
    ONETIP_E2E_DATA_DIR: dataDir,
    ONETIP_E2E_LOG_DIR: process.env.ONETIP_E2E_LOG_DIR ?? join(dataDir, 'logs'),
    PUBLIC_HOST: new URL(publicUrl).host,
    PUBLIC_URL: publicUrl,
    CADDY_HTTP_PORT: String(base + 1),
    GATEWAY_ADDR: serviceAddr.gateway,
    AUTH_ADDR: serviceAddr.auth,
    PROFILE_ADDR: serviceAddr.profile,
    INTEGRATIONS_ADDR: serviceAddr.integrations,
    RECOMMENDER_ADDR: serviceAddr.recommender,
    WEB_ADDR: serviceAddr.web,
    TODOIST_SANDBOX_ADDR: port(shift + 10),
    ...google,
    RUST_LOG: process.env.RUST_LOG ?? 'warn',
  },
};

export default defineConfig({
  testDir: './tests',
  // The production run keeps its traces apart, so a failed one-process run's
  // survive the second run for CI's artifact.
  outputDir: production ? './test-results/production' : './test-results',
  globalTeardown: './lib/global-teardown.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  reporter: [
    [process.env.CI ? 'line' : 'list'],
    ['json', { outputFile: production ? './playwright-report/results-production.json' : './playwright-report/results.json' }],
  ],
  use: {
    baseURL: publicUrl,
    // Caddy's certificate comes from its own local CA, never installed in
    // the machine's trust store.
    ignoreHTTPSErrors: production,
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
  projects: [{ name: production ? 'chromium-production-topology' : 'chromium' }],
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
        PORT: String(base + shift + 20),
        CLIENT_ID: oidcClientId,
        CLIENT_SECRET: oidcClientSecret,
        REDIRECT_URI: `${publicUrl}/auth/google/callback`,
        TOKEN_AUTH: 'client_secret_basic',
      },
    },
    {
      ...(production ? productionTopology : oneProcess),
      reuseExistingServer: false,
      timeout: production ? 90_000 : 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: production ? 20_000 : 5_000 },
    },
  ],
});
