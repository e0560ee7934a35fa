#!/usr/bin/env bash
# Runs the end-to-end suite (e2e/, Playwright in Debian's Chromium) against the
# whole fleet started from the debug build on 127.0.0.1:18080-18085 (sandbox
# Todoist 18090) with a fresh temporary DATA_DIR.
# Ends with one plain line `e2e: N passed, N failed`; non-zero exit on failure.
#
#   scripts/test-e2e.sh [playwright args…]      e.g. scripts/test-e2e.sh tests/status.spec.ts
#
# With ONETIP_E2E_TOPOLOGY=production (scripts/test-e2e-production.sh) the
# same specs run on the production topology instead: a process and a
# PostgreSQL database per service, NATS, Caddy in front (e2e/lib/prod-topology.mjs).
#
# Environment: ONETIP_SKIP_BUILD=1 skips `cargo build --workspace`;
# ONETIP_E2E_PORT_BASE (ONETIP_E2E_PROD_PORT_BASE) moves the port range;
# CARGO_TARGET_DIR is honoured.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

CHROMIUM=/usr/bin/chromium
if [ ! -x "$CHROMIUM" ]; then
  echo "e2e: $CHROMIUM not found; install Debian's Chromium: apt-get install -y chromium" >&2
  exit 1
fi
command -v node >/dev/null || { echo "e2e: node is not installed (apt-get install -y nodejs npm)" >&2; exit 1; }
label=e2e
results_file=results.json
if [ "${ONETIP_E2E_TOPOLOGY:-}" = production ]; then
  label="e2e (production topology)"
  results_file=results-production.json
  for tool in caddy psql; do
    command -v "$tool" >/dev/null || { echo "$label: $tool is not installed (apt-get install -y caddy postgresql-client)" >&2; exit 1; }
  done
  # The databases go on ONETIP_E2E_POSTGRES (default ONETIP_TEST_POSTGRES_URL, else 127.0.0.1:5432).
  postgres=${ONETIP_E2E_POSTGRES:-${ONETIP_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}}
  psql "$postgres" -qAtc 'select 1' >/dev/null || { echo "$label: PostgreSQL does not answer (ONETIP_E2E_POSTGRES, ONETIP_TEST_POSTGRES_URL)" >&2; exit 1; }
  (exec 3<>/dev/tcp/127.0.0.1/4222) 2>/dev/null || { echo "$label: NATS does not answer on 127.0.0.1:4222" >&2; exit 1; }
fi

# node_modules is (re)installed from the lockfile when missing or stale.
lock_hash=$(sha256sum e2e/package-lock.json | cut -d' ' -f1)
if [ ! -d e2e/node_modules ] || [ "$(cat e2e/node_modules/.onetip-lock-hash 2>/dev/null)" != "$lock_hash" ]; then
  echo "installing e2e/ node packages (npm ci)"
  npm ci --prefix e2e --no-audit --no-fund
  echo "$lock_hash" > e2e/node_modules/.onetip-lock-hash
fi

if [ "${ONETIP_SKIP_BUILD:-0}" != 1 ]; then
  # A no-op when the debug build is fresh.
  cargo build --workspace || { echo "e2e: cargo build --workspace failed" >&2; exit 1; }
fi
TARGET_DIR=${CARGO_TARGET_DIR:-target}
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
for bin in onetip onetip-gateway onetip-auth onetip-profile onetip-integrations onetip-recommender onetip-web todoist-fake; do
  if [ ! -x "$TARGET_DIR/debug/$bin" ]; then
    echo "$label: $TARGET_DIR/debug/$bin not found: run cargo build --workspace" >&2
    exit 1
  fi
done

# The fleet's fresh data directory (playwright.config.ts makes one itself when
# run directly); removed here even when the web server never started.
ONETIP_E2E_DATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/onetip-e2e-XXXXXX")
export ONETIP_E2E_DATA_DIR
trap 'rm -rf "$ONETIP_E2E_DATA_DIR"' EXIT
if [ "${ONETIP_E2E_TOPOLOGY:-}" = production ]; then
  # Each process's log, kept after the run (CI uploads playwright-report/).
  export ONETIP_E2E_LOG_DIR=$ROOT/e2e/playwright-report/production-logs
  rm -rf "$ONETIP_E2E_LOG_DIR"
fi

RESULTS=$ROOT/e2e/playwright-report/$results_file
rm -f "$RESULTS"
status=0
(cd e2e && node node_modules/.bin/playwright test "$@") || status=$?

if [ ! -s "$RESULTS" ]; then
  echo "$label: Playwright wrote no results (exit $status); see its output above" >&2
  exit 1
fi
# stats: expected = passed, unexpected = failed, flaky = passed after a retry.
read -r n_passed n_failed n_skipped n_errors < <(node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const s = r.stats || {};
  console.log((s.expected || 0) + (s.flaky || 0), s.unexpected || 0, s.skipped || 0, (r.errors || []).length);
' "$RESULTS")

if [ "$n_errors" -gt 0 ] && [ "$n_failed" -eq 0 ]; then
  # Errors outside any test (web server did not start, config error…).
  n_failed=$n_errors
fi
if [ "$n_passed" -eq 0 ] && [ "$n_failed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "$label: no test ran" >&2
  status=1
fi
if [ "$n_skipped" -gt 0 ]; then
  echo "$label: $n_passed passed, $n_failed failed, $n_skipped skipped"
else
  echo "$label: $n_passed passed, $n_failed failed"
fi
if [ "$status" -eq 0 ] && [ "$n_failed" -ne 0 ]; then status=1; fi
exit "$status"
