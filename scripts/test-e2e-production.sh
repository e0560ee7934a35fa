#!/usr/bin/env bash
# Runs the end-to-end suite on the production topology: the same specs as
# scripts/test-e2e.sh, with every service its own process and its own fresh
# PostgreSQL database (127.0.0.1:5432), events over NATS JetStream
# (127.0.0.1:4222, a stream of the run's own), the sandbox Todoist, and Caddy
# in front with the repository's Caddyfile on https://localhost:18280; the
# browser talks to Caddy only. Ports 18280-18310, so it runs beside the
# one-process suite. Ends with `e2e (production topology): N passed, N failed`.
#
#   scripts/test-e2e-production.sh [playwright args…]
set -euo pipefail
ONETIP_E2E_TOPOLOGY=production exec bash "$(dirname "$0")/test-e2e.sh" "$@"
