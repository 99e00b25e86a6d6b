#!/bin/bash
# Creates .venv with the app (and with "test", the test tools). Re-runs only when pyproject changes.
set -euo pipefail
cd "$(dirname "$0")/.."
extra=${1:-}
stamp=".venv/.installed${extra:+-$extra}"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e ".${extra:+[$extra]}"
  touch "$stamp"
fi
