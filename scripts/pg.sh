#!/bin/bash
# Throwaway PostgreSQL on 127.0.0.1 for tests: scripts/pg.sh start|stop|url
# initdb refuses root, so the server runs as a system user on a temporary directory.
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PG_OS_USER=${PG_OS_USER:-kartlegging-pg}
PGPORT=${PGPORT:-5433}
PGROOT=${PGROOT:-/tmp/kartlegging-pg}
URL="postgresql+psycopg://$PG_OS_USER@127.0.0.1:$PGPORT/postgres"
as_pg() { (cd "$PGROOT" && runuser -u "$PG_OS_USER" -- "$@"); }
case "${1:-}" in
start)
  id "$PG_OS_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_OS_USER"
  if [ -f "$PGROOT/data/postmaster.pid" ]; then as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast -w stop >/dev/null || true; fi
  rm -rf "$PGROOT" && mkdir -p "$PGROOT" && chown "$PG_OS_USER": "$PGROOT" && chmod 700 "$PGROOT"
  as_pg "$PGBIN/initdb" -D "$PGROOT/data" -U "$PG_OS_USER" --auth=trust -E UTF8 --locale=C.UTF-8 >"$PGROOT/initdb.log"
  as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w -t 30 start \
    -o "-p $PGPORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PGROOT -c fsync=off -c full_page_writes=off -c synchronous_commit=off" >/dev/null
  echo "$URL"
  ;;
stop)
  [ -d "$PGROOT/data" ] && as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast -w stop >/dev/null || true
  rm -rf "$PGROOT"
  ;;
url) echo "$URL" ;;
*) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
