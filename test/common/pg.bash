# A real PostgreSQL 15 server for one test, on 127.0.0.1 (sourced by test scripts).
#   pg_start: initdb into a temp folder (owned by the postgres user when run as
#     root: the server refuses root), start it on a free port with its socket in
#     that folder, create role and database `flor`; exports PG_URL
#     (postgresql://flor@127.0.0.1:PORT/flor) and PG_CONNINFO (the same as
#     key=value). The server is stopped and its folder removed at exit (an EXIT
#     trap already set is kept and runs after). Exits 77 (skip) with a message
#     when the postgresql package is missing.
#   pg_stop: stops it (also to test a server that went away).
#   pg_start_again: starts the stopped server again, on the same port.
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
# shellcheck source=exit_trap.bash
source "$(dirname "${BASH_SOURCE[0]}")/exit_trap.bash"

pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] && [ -f "$PG_DIR/data/postmaster.pid" ] || return 0
  pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
}

pg_cleanup() {
  pg_stop
  [ -n "${PG_DIR:-}" ] && rm -rf "$PG_DIR"
  return 0
}

pg_serve() {
  pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-p $1 -k $PG_DIR -c listen_addresses=127.0.0.1 ${PG_SERVER_OPTS:--c fsync=off}" start >/dev/null
}

pg_start_again() {
  pg_serve "$PG_PORT" || { cat "$PG_DIR/server.log" >&2; echo "FAIL: the PostgreSQL server did not start again" >&2; exit 1; }
}

pg_start() {
  if [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
    echo "skip: PostgreSQL 15 is not installed ($PG_BIN/initdb): run scripts/setup-deps (as root) to install it"
    exit 77
  fi
  PG_DIR=$(mktemp -d /tmp/flor-pg-XXXXXX)
  at_exit_first pg_cleanup
  [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DIR"
  pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust --no-sync >"$PG_DIR/initdb.log" 2>&1 ||
    { cat "$PG_DIR/initdb.log" >&2; echo "FAIL: initdb" >&2; exit 1; }
  local port tries=0
  while :; do
    port=$(pg_free_port)
    if pg_serve "$port"; then
      break
    fi
    tries=$((tries + 1))
    [ "$tries" -lt 3 ] || { cat "$PG_DIR/server.log" >&2; echo "FAIL: the PostgreSQL server did not start" >&2; exit 1; }
  done
  PG_PORT=$port
  "$PG_BIN/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE flor LOGIN" -c "CREATE DATABASE flor OWNER flor" >/dev/null
  export PG_URL="postgresql://flor@127.0.0.1:$port/flor"
  export PG_CONNINFO="host=127.0.0.1 port=$port user=flor dbname=flor"
}

# pg_sql SQL: runs SQL in the test database; prints rows unaligned, '|'-separated.
pg_sql() {
  "$PG_BIN/psql" -X -q -A -t -h 127.0.0.1 -p "$PG_PORT" -U flor -d flor -v ON_ERROR_STOP=1 -c "$1"
}
