#!/usr/bin/env bash
# Holds the fake Todoist (tools/todoist-fake) to Doist's official Python SDK,
# todoist-api-python from PyPI, used unchanged: only its endpoint constants
# (todoist_api_python._core.endpoints.API_URL / OAUTH_URL) point at the fake.
# The SDK exchanges a code with its OAuth helper, lists tasks in pages,
# closes a task and revokes its token (tools/todoist-fake/sdk_check/test_sdk.py).
# Ends with one plain line `todoist-sdk: N passed, N failed`, non-zero on failure.
#
# Environment: ONETIP_CACHE (venv under ${ONETIP_CACHE:-$HOME/.cache/onetip}/venv-todoist),
# CARGO_TARGET_DIR, ONETIP_SKIP_BUILD=1 to use target/debug/todoist-fake as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

# Pinned: the contract is checked against this release of the SDK.
TODOIST_SDK_VERSION=4.0.0

CACHE=${ONETIP_CACHE:-$HOME/.cache/onetip}
VENV=$CACHE/venv-todoist
TARGET_DIR=${CARGO_TARGET_DIR:-target}
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
FAKE_BIN=$TARGET_DIR/debug/todoist-fake

die() {
  echo "todoist-sdk: $*" >&2
  echo "todoist-sdk: 0 passed, 1 failed"
  exit 1
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/onetip-todoist-sdk.XXXXXX")
FAKE_PID=
cleanup() {
  if [ -n "$FAKE_PID" ] && kill -0 "$FAKE_PID" 2>/dev/null; then
    kill "$FAKE_PID" 2>/dev/null || true
    wait "$FAKE_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

# --- the SDK, pinned, in its own venv ------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  echo "creating the Python venv $VENV"
  mkdir -p "$CACHE"
  python3 -m venv "$VENV" || die "python3 -m venv failed (apt-get install -y python3-venv)"
fi
installed=$("$VENV/bin/python" -c 'from importlib.metadata import version; print(version("todoist-api-python"))' 2>/dev/null || true)
if [ "$installed" != "$TODOIST_SDK_VERSION" ]; then
  echo "installing todoist-api-python $TODOIST_SDK_VERSION into $VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "todoist-api-python==$TODOIST_SDK_VERSION" || die "pip install todoist-api-python failed"
fi

# --- the fake --------------------------------------------------------------------
if [ "${ONETIP_SKIP_BUILD:-0}" != 1 ]; then
  cargo build --quiet -p todoist-fake || die "cargo build -p todoist-fake failed"
fi
[ -x "$FAKE_BIN" ] || die "missing $FAKE_BIN: run cargo build -p todoist-fake"

PORT=$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
export TODOIST_FAKE_URL="http://127.0.0.1:$PORT"
# A strict fake: only this client and secret, with a registered redirect URI
# (the SDK's authorization URL carries none).
export TODOIST_FAKE_CLIENT_ID=sdk-check-client
export TODOIST_FAKE_CLIENT_SECRET=sdk-check-secret
export TODOIST_FAKE_REDIRECT_URI=http://localhost:8080/connect/todoist/callback
APP_ENV=development TODOIST_SANDBOX_ADDR="127.0.0.1:$PORT" RUST_LOG="${RUST_LOG:-warn}" \
  "$FAKE_BIN" >"$TMP/fake.log" 2>&1 &
FAKE_PID=$!

for _ in $(seq 1 150); do
  if "$VENV/bin/python" -c "import httpx, sys; sys.exit(httpx.get('$TODOIST_FAKE_URL/health').status_code != 200)" 2>/dev/null; then
    break
  fi
  kill -0 "$FAKE_PID" 2>/dev/null || { cat "$TMP/fake.log" >&2; die "todoist-fake exited at start"; }
  sleep 0.2
done

# --- the SDK against it ------------------------------------------------------------
set +e
"$VENV/bin/python" tools/todoist-fake/sdk_check/test_sdk.py 2>&1 | tee "$TMP/sdk.out"
status=${PIPESTATUS[0]}
set -e
if ! grep -q '^todoist-sdk: [0-9]* passed, [0-9]* failed$' "$TMP/sdk.out"; then
  # It died before counting (an import error, say): still one closing line.
  echo "todoist-sdk: 0 passed, 1 failed"
  status=1
fi
if [ "$status" != 0 ]; then
  echo "--- todoist-fake log (last 40 lines):"
  tail -n 40 "$TMP/fake.log"
fi
exit "$status"
