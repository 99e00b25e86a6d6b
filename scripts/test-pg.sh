#!/bin/bash
# The whole suite against a real PostgreSQL server (started here, stopped afterwards), over
# both cores (each worker on its own database), then migrations + demo seed + drift check on a
# fresh database of that server. The browser journeys run in `make test` only: they serve the
# app on their own SQLite file and exercise the browser side, the same on either database.
set -euo pipefail
cd "$(dirname "$0")/.."
url=$(scripts/pg.sh start)
trap 'scripts/pg.sh stop' EXIT
TEST_DATABASE_URL="$url" .venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" \
  --ignore=tests/browser "$@"
.venv/bin/python - "$url" <<'PY'
import sys
from sqlalchemy import create_engine, text
engine = create_engine(sys.argv[1], isolation_level="AUTOCOMMIT")
with engine.connect() as conn:
    conn.execute(text('DROP DATABASE IF EXISTS "seedcheck" WITH (FORCE)'))
    conn.execute(text('CREATE DATABASE "seedcheck"'))
PY
DATABASE_URL="${url%/*}/seedcheck" scripts/check-seed.sh
