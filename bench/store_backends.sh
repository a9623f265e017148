#!/usr/bin/env bash
# bench/store_backends.sh BUILD [EPOCHS ROWS]: logs per second written by 1
# and by 8 concurrent workers (each its own run, a transaction per epoch of
# ROWS logs), SQLite (WAL, under a temp FLOR_HOME) vs PostgreSQL 15 (a server
# started here, on 127.0.0.1, fsync on), side by side. Default 50 epochs x 200 rows.
set -euo pipefail
build=${1:?usage: bench/store_backends.sh BUILD [EPOCHS ROWS]}
epochs=${2:-50} rows=${3:-200}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/flor-bench-store-XXXXXX)
trap 'rm -rf "$work"' EXIT
PG_SERVER_OPTS="-c fsync=on"
# shellcheck source=../test/common/pg.bash
source "$here/../test/common/pg.bash"
pg_start
rate() {  # rate URL WORKERS: logs/s
  local n=$((RANDOM))
  FLOR_STORE=$1 "$build/bench/store_writers" "$work/home" "b$n" "$2" "$epochs" "$rows" | sed 's/.*: \([0-9]*\) logs\/s/\1/'
}
printf '%-8s %14s %14s   (%s epochs x %s logs per worker)\n' workers "SQLite" "PostgreSQL" "$epochs" "$rows"
for w in 1 8; do
  printf '%-8s %10s/s %10s/s\n' "$w" "$(rate sqlite "$w")" "$(rate "$PG_URL" "$w")"
done
