#!/bin/bash
# A fresh database as `make run` builds it: migrations, then the demo seed; then every value
# stored for speed is recomputed from its source rows (`flask derived check` exits 1 on drift).
# With DATABASE_URL unset it runs on a temporary SQLite file.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export FLASK_APP=kartlegging DATABASE_URL=${DATABASE_URL:-sqlite:///$tmp/kartlegging.db}
export PYTHONWARNINGS="ignore:DSA is deprecated"  # pyHanko's import; see pyproject.toml
# Quiet when they succeed; their whole output when they fail.
for step in "db upgrade" "demo"; do
  if ! out=$(.venv/bin/flask $step 2>&1); then
    echo "$out"
    echo "flask $step feilet" >&2
    exit 1
  fi
done
.venv/bin/flask derived check
