#!/bin/bash
# The whole suite against a real PostgreSQL server (started here, stopped afterwards).
# The browser journeys run in `make test` only: they serve the app on their own SQLite file
# and exercise the browser side, which is the same on either database.
set -euo pipefail
cd "$(dirname "$0")/.."
url=$(scripts/pg.sh start)
trap 'scripts/pg.sh stop' EXIT
TEST_DATABASE_URL="$url" .venv/bin/python -m pytest --ignore=tests/browser "$@"
