#!/usr/bin/env bash
# Issue 13's load tests in one command: builds the release fleet and the
# driver once (`cargo bench --bench load`), runs every load and writes
# bench/RESULTS.md. About 10 minutes; `bash bench/run.sh --quick` is a 2-minute
# check of the harness (its figures are not the reference ones).
# Options after the script: --quick, --backends=sqlite,postgres, --out=FILE.
# PostgreSQL: ONETIP_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres);
# the run creates and drops the onetip_bench_* databases there.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y wrk >/dev/null
  else
    echo "bench/run.sh needs wrk: sudo apt-get install wrk (Debian/Ubuntu)" >&2
    exit 1
  fi
fi
for tool in taskset nproc; do
  command -v "$tool" >/dev/null || { echo "bench/run.sh needs $tool (util-linux, coreutils)" >&2; exit 1; }
done
if [ "$(nproc)" -lt 2 ]; then
  echo "bench/run.sh pins the servers to core 0 and the load to core 1: it needs 2 cores" >&2
  exit 1
fi

# On a shared machine nobody compiles while we measure: hold the CPU lock
# (the team's convention) for the build and the run, when flock is there,
# unless the caller holds it already (`flock /tmp/onetip-cpu.lock bash
# bench/run.sh`: the lock's file is open among our descriptors, and a second
# flock on it would wait for ourselves forever).
lockfile="${ONETIP_CPU_LOCK:-/tmp/onetip-cpu.lock}"
lock=()
if command -v flock >/dev/null; then
  lock=(flock "$lockfile")
  for fd in /proc/$$/fd/*; do
    if [ "$(readlink "$fd" 2>/dev/null)" = "$(readlink -f "$lockfile")" ]; then
      lock=()
    fi
  done
fi
# Built on both cores; run with the driver itself (the load, the fake
# Todoist) on core 1; it starts the servers on core 0.
exec "${lock[@]}" bash -c 'cargo bench --bench load --no-run && taskset -c 1 cargo bench --bench load -- "$@"' bench "$@"
