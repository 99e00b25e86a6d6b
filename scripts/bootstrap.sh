#!/bin/bash
# Creates .venv from the lock files: exact versions, every file checked against its hash, so a
# release elsewhere never changes what a fresh machine runs. `bootstrap.sh` installs the app
# (requirements/app.txt), `bootstrap.sh test` the app and the test tools (requirements/test.txt).
# Re-runs only when the lock or pyproject.toml changes.
set -euo pipefail
cd "$(dirname "$0")/.."
extra=${1:-}
lock=requirements/${extra:-app}.txt
stamp=".venv/.installed-${extra:-app}"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "Installerer Python-pakker fra $lock"
  .venv/bin/pip install -q --require-hashes --no-deps -r "$lock"
  # The project itself, editable, with the build backend the lock just installed.
  .venv/bin/pip install -q --no-deps --no-build-isolation -e .
  .venv/bin/pip check >/dev/null
  touch "$stamp"
fi
