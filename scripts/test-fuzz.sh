#!/usr/bin/env bash
# API fuzzing: Schemathesis (PyPI, pinned, in a venv made once under
# ~/.cache/onetip) against each service's committed OpenAPI document
# (openapi/<service>.json) and the running service, the whole fleet started
# from the debug build on 127.0.0.1:18180-18190 (sandbox Todoist 18190) with a
# fresh DATA_DIR — away from the e2e suite's 18080-18090.
#
# Checked on every answer: no 5xx, the status code is one the operation
# documents, and the body has the documented content type and schema.
# Each document runs three times: with no credentials, with a signed-in
# user's access token (a development sign-in through the gateway; the user
# has the sandbox Todoist connected), and — for /internal/* — with the
# internal token. Bounded: at most $FUZZ_MAX_EXAMPLES generated cases per
# operation (plus Schemathesis' coverage cases), and a run that takes longer
# than $FUZZ_TIME_LIMIT seconds is stopped and counted as failed.
#
# Ends with one plain line `fuzz: N passed, N failed` (a run is one
# document × one credential); non-zero exit on failure. A failing run prints
# Schemathesis' reproduction (a curl command) above it.
#
#   scripts/test-fuzz.sh [service…]        e.g. scripts/test-fuzz.sh profile auth
#
# Environment: ONETIP_SKIP_BUILD=1 skips `cargo build --workspace`;
# ONETIP_FUZZ_PORT_BASE moves the port range; FUZZ_MAX_EXAMPLES (default 50),
# FUZZ_TIME_LIMIT (default 60), FUZZ_SEED (default 1, reproducible);
# CARGO_TARGET_DIR is honoured.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

# Pinned: a new release may add checks, which would turn the step red
# without a change of ours.
SCHEMATHESIS_VERSION=4.32.5
CACHE=${ONETIP_CACHE:-$HOME/.cache/onetip}
VENV=$CACHE/venv-schemathesis
BASE=${ONETIP_FUZZ_PORT_BASE:-18180}
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-50}
TIME_LIMIT=${FUZZ_TIME_LIMIT:-60}
SEED=${FUZZ_SEED:-1}
SERVICES=(gateway auth profile integrations recommender web)
if (($#)); then SERVICES=("$@"); fi
TARGET_DIR=${CARGO_TARGET_DIR:-target}
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac

die() {
  echo "fuzz: $*" >&2
  echo "fuzz: 0 passed, 1 failed"
  exit 1
}

# --- Schemathesis, pinned, in its own venv ----------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  echo "creating the Python venv $VENV"
  mkdir -p "$CACHE"
  python3 -m venv "$VENV" || die "python3 -m venv failed (apt-get install -y python3-venv)"
fi
installed=$("$VENV/bin/python" -c 'from importlib.metadata import version; print(version("schemathesis"))' 2>/dev/null || true)
if [ "$installed" != "$SCHEMATHESIS_VERSION" ]; then
  echo "installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "schemathesis==$SCHEMATHESIS_VERSION" || die "pip install schemathesis failed"
fi

# --- the fleet ----------------------------------------------------------------------
if [ "${ONETIP_SKIP_BUILD:-0}" != 1 ]; then
  cargo build --workspace --quiet || die "cargo build --workspace failed"
fi
[ -x "$TARGET_DIR/debug/onetip" ] || die "missing $TARGET_DIR/debug/onetip: run cargo build --workspace"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/onetip-fuzz.XXXXXX")
FLEET_PID=
cleanup() {
  if [ -n "$FLEET_PID" ] && kill -0 "$FLEET_PID" 2>/dev/null; then
    kill "$FLEET_PID" 2>/dev/null || true
    wait "$FLEET_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

addr() { echo "127.0.0.1:$((BASE + $1))"; }
declare -A OFFSET=([gateway]=0 [auth]=1 [profile]=2 [integrations]=3 [recommender]=4 [web]=5)
for port in $(seq "$BASE" $((BASE + 10))); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port is taken: set ONETIP_FUZZ_PORT_BASE"
  fi
done

PUBLIC_URL="http://$(addr 0)"
INTERNAL_TOKEN="fuzz-internal-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
env -i PATH="$PATH" HOME="$HOME" \
  APP_ENV=development PUBLIC_URL="$PUBLIC_URL" DATA_DIR="$TMP/data" \
  GATEWAY_ADDR="$(addr 0)" AUTH_ADDR="$(addr 1)" PROFILE_ADDR="$(addr 2)" \
  INTEGRATIONS_ADDR="$(addr 3)" RECOMMENDER_ADDR="$(addr 4)" WEB_ADDR="$(addr 5)" \
  TODOIST_SANDBOX_ADDR="$(addr 10)" INTERNAL_API_TOKEN="$INTERNAL_TOKEN" \
  ACCESS_TOKEN_TTL=15m LOG_FORMAT=json RUST_LOG="${RUST_LOG:-warn}" \
  "$TARGET_DIR/debug/onetip" > "$TMP/fleet.log" 2>&1 &
FLEET_PID=$!
for _ in $(seq 1 300); do
  curl -fsS -o /dev/null "$PUBLIC_URL/ready" 2>/dev/null && break
  kill -0 "$FLEET_PID" 2>/dev/null || { tail -n 30 "$TMP/fleet.log" >&2; die "the fleet exited before listening"; }
  sleep 0.1
done
curl -fsS -o /dev/null "$PUBLIC_URL/ready" || { tail -n 30 "$TMP/fleet.log" >&2; die "the fleet did not start within 30 s"; }

# --- a signed-in user with the sandbox Todoist connected ----------------------------
# The same dance as tests/common/mod.rs (Session::connected), with curl.
jar=$TMP/cookies
curl -fsS -o /dev/null -c "$jar" -H "origin: $PUBLIC_URL" \
  --data-urlencode email=fuzz@example.test --data-urlencode name=Fuzz \
  "$PUBLIC_URL/auth/dev/signin" || die "dev sign-in failed"
ACCESS=$(awk '$6 ~ /onetip_at$/ { print $7 }' "$jar")
[ -n "$ACCESS" ] || die "dev sign-in set no access cookie"
authorize=$(curl -fsS -o /dev/null -w '%{redirect_url}' -b "$jar" -X POST -H "origin: $PUBLIC_URL" \
  "$PUBLIC_URL/api/connectors/todoist/connect") || die "connect failed"
query=${authorize#*\?}
approved=$(curl -sS -o /dev/null -w '%{redirect_url}' -X POST \
  --data "$query&account=fuzz-account&decision=approve" "http://$(addr 10)/oauth/authorize")
landed=$(curl -sS -o /dev/null -w '%{redirect_url}' -b "$jar" "$approved")
case "$landed" in *connected*) ;; *) die "the Todoist connect ended at '$landed'" ;; esac

# --- the runs -------------------------------------------------------------------------
passed=0
failed=0
results=()
# fuzz NAME DOCUMENT URL [schemathesis args…]
fuzz() {
  local name=$1 doc=$2 url=$3
  shift 3
  echo
  echo "--> $name"
  local started=$SECONDS status=0
  # Not --max-time: Schemathesis would keep fuzzing until it is spent.
  timeout --kill-after=5 "$TIME_LIMIT" "$VENV/bin/schemathesis" run "$doc" --url "$url" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$MAX_EXAMPLES" --seed "$SEED" \
    --phases examples,coverage,fuzzing --workers 2 --request-timeout 10 \
    --max-redirects 0 --warnings off --no-color "$@" || status=$?
  if [ "$status" -eq 124 ]; then
    echo "fuzz: $name took longer than $TIME_LIMIT s" >&2
  fi
  if [ "$status" -eq 0 ]; then
    passed=$((passed + 1))
    results+=("ok    $name ($((SECONDS - started)) s)")
  else
    failed=$((failed + 1))
    results+=("FAIL  $name ($((SECONDS - started)) s)")
  fi
}

for service in "${SERVICES[@]}"; do
  doc=$ROOT/openapi/$service.json
  [ -f "$doc" ] || die "no OpenAPI document $doc"
  url="http://$(addr "${OFFSET[$service]}")"
  fuzz "$service, no credentials" "$doc" "$url"
  fuzz "$service, a user's access token" "$doc" "$url" \
    -H "Authorization: Bearer $ACCESS" --exclude-path-regex '^/internal/'
  if grep -q '"/internal/' "$doc"; then
    fuzz "$service, the internal token" "$doc" "$url" \
      -H "Authorization: Bearer $INTERNAL_TOKEN" --include-path-regex '^/internal/'
  fi
done

if ! kill -0 "$FLEET_PID" 2>/dev/null; then
  tail -n 30 "$TMP/fleet.log" >&2
  failed=$((failed + 1))
  results+=("FAIL  the fleet exited during the runs")
fi
echo
printf '  %s\n' "${results[@]}"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
