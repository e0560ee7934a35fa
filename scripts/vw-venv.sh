#!/usr/bin/env bash
# Makes (once) a Python venv with Vowpal Wabbit 9 from PyPI for the decision
# export's interoperability test, and prints its python's path.
#   export ONETIP_VW_PYTHON=$(bash scripts/vw-venv.sh)
set -euo pipefail
venv="${ONETIP_VW_VENV:-$HOME/.cache/onetip/vw-venv}"
if ! "$venv/bin/python" -c 'import vowpalwabbit' 2>/dev/null; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q 'vowpalwabbit==9.*' >&2
fi
echo "$venv/bin/python"
