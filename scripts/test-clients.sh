#!/usr/bin/env bash
# Checks the generated API clients:
#   1. regenerates the TypeScript types (openapi-typescript) and the Python
#      packages (openapi-python-client) from openapi/<service>.json into a
#      temporary directory and fails when the committed ones under clients/
#      differ (stale);
#   2. type-checks the TypeScript clients and the end-to-end tests (tsc --noEmit);
#   3. installs the generated Python profile client into a venv, starts
#      onetip-profile on a free loopback port and calls its /health with it.
# Ends with one plain line `clients: N passed, 0 failed`, or exits non-zero.
#
#   scripts/test-clients.sh            check
#   scripts/test-clients.sh --update   regenerate clients/ from openapi/ (then commit)
#
# Environment: OPENAPI_DIR (default openapi/), ONETIP_CACHE (venv under
# ${ONETIP_CACHE:-$HOME/.cache/onetip}/venv), CARGO_TARGET_DIR,
# ONETIP_SKIP_BUILD=1 to use the onetip-profile binary as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SERVICES=(gateway auth profile integrations recommender web)
# Generator versions are pinned: their output is committed and compared.
OPENAPI_PYTHON_CLIENT_VERSION=0.29.1
RUFF_VERSION=0.17.6

OPENAPI_DIR=${OPENAPI_DIR:-openapi}
case "$OPENAPI_DIR" in /*) ;; *) OPENAPI_DIR="$ROOT/$OPENAPI_DIR" ;; esac
CACHE=${ONETIP_CACHE:-$HOME/.cache/onetip}
VENV=$CACHE/venv
TARGET_DIR=${CARGO_TARGET_DIR:-target}
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac

UPDATE=0
case "${1:-}" in
  --update) UPDATE=1 ;;
  "") ;;
  *) echo "usage: $0 [--update]" >&2; exit 2 ;;
esac

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
die() { echo "clients: $*" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/onetip-clients.XXXXXX")
PROFILE_PID=
cleanup() {
  if [ -n "$PROFILE_PID" ] && kill -0 "$PROFILE_PID" 2>/dev/null; then
    kill "$PROFILE_PID" 2>/dev/null || true
    wait "$PROFILE_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

for s in "${SERVICES[@]}"; do
  [ -f "$OPENAPI_DIR/$s.json" ] ||
    die "missing $OPENAPI_DIR/$s.json: the OpenAPI documents are written by the Rust test that exports them (or set OPENAPI_DIR)"
done

# --- toolchains ---------------------------------------------------------------
command -v node >/dev/null || die "node is not installed (apt-get install -y nodejs npm)"
lock_hash=$(sha256sum e2e/package-lock.json | cut -d' ' -f1)
if [ ! -d e2e/node_modules ] || [ "$(cat e2e/node_modules/.onetip-lock-hash 2>/dev/null)" != "$lock_hash" ]; then
  echo "installing e2e/ node packages (npm ci)"
  npm ci --prefix e2e --no-audit --no-fund
  echo "$lock_hash" > e2e/node_modules/.onetip-lock-hash
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "creating the Python venv $VENV"
  mkdir -p "$CACHE"
  python3 -m venv "$VENV" || die "python3 -m venv failed (apt-get install -y python3-venv)"
fi
if [ "$("$VENV/bin/openapi-python-client" --version 2>/dev/null || true)" != "openapi-python-client version: $OPENAPI_PYTHON_CLIENT_VERSION" ] ||
  [ "$("$VENV/bin/ruff" --version 2>/dev/null || true)" != "ruff $RUFF_VERSION" ]; then
  echo "installing openapi-python-client $OPENAPI_PYTHON_CLIENT_VERSION into $VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "openapi-python-client==$OPENAPI_PYTHON_CLIENT_VERSION" "ruff==$RUFF_VERSION"
fi

# --- 1. regenerate ------------------------------------------------------------
GEN=$TMP/gen
mkdir -p "$GEN/typescript" "$GEN/python"
for s in "${SERVICES[@]}"; do
  e2e/node_modules/.bin/openapi-typescript "$OPENAPI_DIR/$s.json" -o "$GEN/typescript/$s.d.ts" >"$TMP/$s.ots.log" 2>&1 ||
    { cat "$TMP/$s.ots.log" >&2; die "openapi-typescript failed on $OPENAPI_DIR/$s.json"; }
  cfg=$TMP/$s.opc.yaml
  printf 'project_name_override: onetip-%s-client\npackage_name_override: onetip_%s_client\n' "$s" "$s" > "$cfg"
  # The generator runs ruff as a post hook: the venv's, found on PATH.
  (cd "$TMP" && PATH="$VENV/bin:$PATH" openapi-python-client generate --path "$OPENAPI_DIR/$s.json" \
    --config "$cfg" --meta setup --output-path "$GEN/python/$s" --fail-on-warning >"$TMP/$s.opc.log" 2>&1) || {
    cat "$TMP/$s.opc.log" >&2
    die "openapi-python-client failed on $OPENAPI_DIR/$s.json"
  }
  rm -rf "$GEN/python/$s/.ruff_cache"
done

if [ "$UPDATE" = 1 ]; then
  for s in "${SERVICES[@]}"; do
    mkdir -p clients/typescript clients/python
    cp "$GEN/typescript/$s.d.ts" "clients/typescript/$s.d.ts"
    rm -rf "clients/python/$s"
    cp -r "$GEN/python/$s" "clients/python/$s"
  done
  echo "clients: regenerated clients/typescript and clients/python from $OPENAPI_DIR"
fi

DIFF_EXCLUDES=(--exclude=__pycache__ --exclude=build --exclude=dist --exclude='*.egg-info' --exclude=.ruff_cache)
for s in "${SERVICES[@]}"; do
  if diff -u "clients/typescript/$s.d.ts" "$GEN/typescript/$s.d.ts" >"$TMP/diff" 2>&1; then
    pass "TypeScript client $s is up to date"
  else
    head -n 40 "$TMP/diff"
    fail "TypeScript client $s is stale: run scripts/test-clients.sh --update and commit clients/"
  fi
  if diff -ru "${DIFF_EXCLUDES[@]}" "clients/python/$s" "$GEN/python/$s" >"$TMP/diff" 2>&1; then
    pass "Python client $s is up to date"
  else
    head -n 40 "$TMP/diff"
    fail "Python client $s is stale: run scripts/test-clients.sh --update and commit clients/"
  fi
done

# --- 2. type-check ------------------------------------------------------------
if (cd e2e && node_modules/.bin/tsc --noEmit -p tsconfig.json); then
  pass "tsc --noEmit over clients/typescript and e2e/"
else
  fail "tsc --noEmit over clients/typescript and e2e/"
fi

# --- 3. the Python profile client against a running onetip-profile ------------
if [ "${ONETIP_SKIP_BUILD:-0}" != 1 ]; then
  # The whole workspace, as the e2e run builds it: the same features, so no second build.
  cargo build --quiet --workspace || die "cargo build --workspace failed"
fi
PROFILE_BIN=$TARGET_DIR/debug/onetip-profile
[ -x "$PROFILE_BIN" ] || die "missing $PROFILE_BIN: run cargo build --workspace"

# Installed from a copy so that no build/ or *.egg-info lands in clients/.
cp -r clients/python/profile "$TMP/profile-client"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps \
  "$TMP/profile-client" || die "pip install of the generated profile client failed"

PORT=$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
mkdir -p "$TMP/data"
env -u DATABASE_URL -u PROFILE_DATABASE_URL \
  APP_ENV=development DATA_DIR="$TMP/data" PROFILE_ADDR="127.0.0.1:$PORT" PROFILE_URL="http://127.0.0.1:$PORT" \
  RUST_LOG="${RUST_LOG:-warn}" "$PROFILE_BIN" >"$TMP/profile.log" 2>&1 &
PROFILE_PID=$!

cat >"$TMP/check_profile.py" <<'PY'
import sys
import time

import httpx
from onetip_profile_client import Client
from onetip_profile_client.api.health import health, ready
from onetip_profile_client.models import Liveness, Readiness, Status

base_url = sys.argv[1]
client = Client(base_url=base_url, raise_on_unexpected_status=True, timeout=httpx.Timeout(5.0))

deadline = time.monotonic() + 30
while True:
    try:
        response = health.sync_detailed(client=client)
        break
    except httpx.TransportError:
        if time.monotonic() > deadline:
            sys.exit(f"onetip-profile did not answer on {base_url} within 30 s")
        time.sleep(0.2)

checks = 0
assert response.status_code == 200, f"/health answered {response.status_code}"
live = response.parsed
assert isinstance(live, Liveness), f"/health did not parse as Liveness: {response.content!r}"
assert live.status == "ok", f"status is {live.status!r}, expected 'ok'"
assert live.service == "profile", f"service is {live.service!r}, expected 'profile'"
print(f"ok   Python client: GET /health -> status={live.status} service={live.service} version={live.version}")
checks += 1

readiness = ready.sync(client=client)
assert isinstance(readiness, Readiness), "/ready did not parse as Readiness"
assert readiness.status == Status.OK, f"/ready status is {readiness.status}"
assert readiness.service == "profile", f"/ready service is {readiness.service!r}"
print(f"ok   Python client: GET /ready -> status={readiness.status.value} checks={[c.name for c in readiness.checks]}")
checks += 1
print(f"CHECKS={checks}")
PY

if out=$("$VENV/bin/python" "$TMP/check_profile.py" "http://127.0.0.1:$PORT" 2>&1); then
  echo "$out" | grep -v '^CHECKS='
  n=$(echo "$out" | sed -n 's/^CHECKS=//p')
  passed=$((passed + n))
else
  echo "$out"
  echo "--- onetip-profile log:"
  tail -n 30 "$TMP/profile.log"
  fail "Python profile client against onetip-profile on 127.0.0.1:$PORT"
fi

if [ "$failed" -ne 0 ]; then
  echo "clients: $passed passed, $failed failed"
  exit 1
fi
echo "clients: $passed passed, 0 failed"
