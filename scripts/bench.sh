#!/bin/bash
# `make bench`: SQLite, and PostgreSQL on a throwaway server (scripts/pg.sh) when its binaries
# are installed. Prints the table; writes bench/results/latest.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
export PGPORT=${BENCH_PGPORT:-5434} PGROOT=${BENCH_PGROOT:-/tmp/kartlegging-bench-pg}
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  BENCH_POSTGRES_URL=$(scripts/pg.sh start)
  export BENCH_POSTGRES_URL
  trap 'scripts/pg.sh stop' EXIT
fi
.venv/bin/python -m bench.run "$@"
