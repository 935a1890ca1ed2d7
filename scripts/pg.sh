#!/usr/bin/env bash
# Throwaway PostgreSQL in a temp dir: `pg.sh start` prints the dir (URL in DIR/url); `pg.sh stop DIR`.
# `pg.sh halt DIR` / `pg.sh resume DIR` stop and restart the server keeping its data (resilience tests).
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$PGBIN" ] || { echo "no PostgreSQL binaries" >&2; exit 1; }
case "${1:-}" in
start)
  PGDIR=$(mktemp -d /tmp/cctns-pg.XXXXXX)
  PORT=${PGPORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
  RUN=()
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PGDIR"; RUN=(runuser -u postgres --); fi
  "${RUN[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$PGDIR/initdb.log" 2>&1
  "${RUN[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" \
    -o "-p $PORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" -w start >/dev/null
  "${RUN[@]}" psql -q -h "$PGDIR" -p "$PORT" -U postgres -c "CREATE ROLE app LOGIN SUPERUSER PASSWORD 'app';" >/dev/null
  "${RUN[@]}" createdb -h "$PGDIR" -p "$PORT" -U postgres -O app appdb
  echo "postgresql+psycopg://app:app@127.0.0.1:$PORT/appdb" > "$PGDIR/url"
  echo "$PORT" > "$PGDIR/port"
  chmod a+r "$PGDIR/url" "$PGDIR/port"
  echo "$PGDIR"
  ;;
stop)
  PGDIR=$2
  RUN=(); [ "$(id -u)" = 0 ] && RUN=(runuser -u postgres --)
  "${RUN[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
  ;;
halt)
  PGDIR=$2
  RUN=(); [ "$(id -u)" = 0 ] && RUN=(runuser -u postgres --)
  "${RUN[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null
  ;;
resume)
  PGDIR=$2; PORT=$(cat "$PGDIR/port")
  RUN=(); [ "$(id -u)" = 0 ] && RUN=(runuser -u postgres --)
  "${RUN[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" \
    -o "-p $PORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" -w start >/dev/null
  ;;
*) echo "usage: pg.sh start | stop DIR | halt DIR | resume DIR" >&2; exit 2 ;;
esac
