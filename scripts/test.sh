#!/bin/bash
# The whole suite on SQLite (unit, view, browser tests) over both cores, then a fresh database
# as `make run` builds it (migrations, demo seed) checked for drift in its stored values.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" "$@"
scripts/check-seed.sh
