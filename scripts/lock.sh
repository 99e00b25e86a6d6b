#!/bin/bash
# Writes the lock files from pyproject.toml's ranges: exact versions with hashes for Python 3.11
# on Linux x86-64. Run by `make lock`; commit the result after its CI run is green.
#   requirements/app.txt   what `make run` installs (the app and its build backend)
#   requirements/test.txt  what `make test`, `make bench` and CI install (app, tests, lock tool)
# app.txt is resolved inside test.txt, so the two never disagree on a shared package.
set -euo pipefail
cd "$(dirname "$0")/.."
# Only the lock tool is needed here; a pyproject.toml that already names a new package would
# fail bootstrap's consistency check until the lock exists.
[ -x .venv/bin/uv ] || scripts/bootstrap.sh test
uv=.venv/bin/uv
common=(--generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28
        --no-header --annotation-style line --quiet)
"$uv" pip compile "${common[@]}" ${UPGRADE:+--upgrade} pyproject.toml requirements/build.in \
  --extra test --extra lock -o requirements/test.txt
"$uv" pip compile "${common[@]}" pyproject.toml requirements/build.in \
  --constraint requirements/test.txt -o requirements/app.txt
echo "requirements/app.txt and requirements/test.txt written; review with: git diff requirements/"
