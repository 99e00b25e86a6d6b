#!/bin/bash
# The whole suite against a real PostgreSQL server (started here, stopped afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."
url=$(scripts/pg.sh start)
trap 'scripts/pg.sh stop' EXIT
TEST_DATABASE_URL="$url" .venv/bin/python -m pytest "$@"
