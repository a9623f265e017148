#!/usr/bin/env bash
# The example with its store in a real PostgreSQL server (FLOR_STORE, and
# flor --store): record, add log statements, replay -j 2, show; the values equal
# the same story in SQLite, and no flor.db is made. Then `flor store migrate`
# both ways, twice (the second copies nothing), with a run-id clash refused.
source "$(dirname "$0")/lib.bash"
source "$FLOR_SOURCE_DIR/test/common/pg.bash"
pg_start
setup_example
cd "$REPO"
epochs=3
sqlite_home=$WORK/home-sqlite pg_home=$WORK/home-pg

story() {  # story HOME [--store URL]: record, replay -j 2 with the hindsight logs, show as csv
  local home=$1; shift
  git checkout -q -- train.cc && cp "$FLOR_BUILD_DIR/examples/fashion_mnist/train" build/train
  FLOR_HOME=$home "$FLOR" "$@" run fm --eps 1 -- ./build/train --epochs $epochs "${TRAIN_ARGS[@]}" \
    > "$WORK/record.out" 2>&1 || fail "record ($*): $(cat "$WORK/record.out")"
  add_hindsight_logs
  FLOR_HOME=$home "$FLOR" "$@" replay fm -j 2 > "$WORK/replay.out" 2>&1 || fail "replay ($*): $(cat "$WORK/replay.out")"
  grep -q "^epochs replayed: $epochs of $epochs" "$WORK/replay.out" || fail "epochs replayed ($*): $(cat "$WORK/replay.out")"
}
story "$sqlite_home"
FLOR_HOME=$sqlite_home "$FLOR" show fm --format csv > "$WORK/sqlite.csv"
story "$pg_home" --store "$PG_URL"
FLOR_HOME=$pg_home FLOR_STORE=$PG_URL "$FLOR" show fm --format csv > "$WORK/pg.csv"
cat "$WORK/pg.csv"
head -1 "$WORK/pg.csv" | contains 'weight_norm' || fail "no hindsight column: $(cat "$WORK/pg.csv")"
diff "$WORK/sqlite.csv" "$WORK/pg.csv" || fail "flor show differs between SQLite and PostgreSQL"
[ ! -e "$pg_home/fm/flor.db" ] || fail "a flor.db was made with FLOR_STORE set"
[ -n "$(ls "$pg_home/fm/ckpt"/*.ckpt)" ] || fail "no checkpoint files under FLOR_HOME with PostgreSQL"
expect_eq "$(pg_sql "SELECT count(*) FROM logs WHERE experiment='fm' AND name='weight_norm'")" "$epochs" \
  "weight_norm rows in PostgreSQL"
expect_eq "$(pg_sql "SELECT string_agg(status, ',' ORDER BY id) FROM runs WHERE experiment='fm'")" \
  "complete,complete,complete" "run statuses"
FLOR_HOME=$pg_home FLOR_STORE=$PG_URL "$FLOR" ls --format csv | contains '^fm,' || fail "flor ls with PostgreSQL"

# flor query reads SQLite only, and says so; a password never shows in a message.
FLOR_HOME=$pg_home FLOR_STORE=$PG_URL one_line_error "$FLOR" query fm "SELECT 1" | contains 'psql' || fail "query"
bad=postgresql://flor:hunter2@127.0.0.1:1/flor
out=$(FLOR_HOME=$pg_home "$FLOR" --store $bad ls 2>&1) && fail "ls with a server that is not there"
echo "$out"
grep -q hunter2 <<<"$out" && fail "the password was printed: $out"
grep -q '127.0.0.1:1' <<<"$out" || fail "the message does not name the server: $out"

# migrate: PostgreSQL -> SQLite beside the checkpoints; shows the same; again copies nothing.
FLOR_HOME=$pg_home FLOR_STORE=$PG_URL "$FLOR" store migrate --to sqlite fm | tee "$WORK/m1"
contains '^fm: 3 runs copied' < "$WORK/m1" || fail "migrate to sqlite: $(cat "$WORK/m1")"
FLOR_HOME=$pg_home FLOR_STORE=$PG_URL "$FLOR" store migrate --to sqlite | contains '^fm: 0 runs copied .* 3 already there' ||
  fail "a second migrate copied again"
FLOR_HOME=$pg_home "$FLOR" show fm --format csv > "$WORK/back.csv"
diff "$WORK/pg.csv" "$WORK/back.csv" || fail "show after migrating to SQLite"

# SQLite -> PostgreSQL: the database holds other runs as fm 1-3: refused, nothing copied.
err=$(FLOR_HOME=$sqlite_home "$FLOR" store migrate --to "$PG_URL" fm 2>&1) && fail "migrate over other runs"
grep -q 'another run' <<<"$err" || fail "clash message: $err"
expect_eq "$(pg_sql "SELECT count(*) FROM runs WHERE experiment='fm'")" 3 "runs after a refused migrate"
# ... into a fresh database: copied, the same show, run ids kept; again copies nothing.
"$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c "CREATE DATABASE flor2 OWNER flor" >/dev/null
pg2=postgresql://flor@127.0.0.1:$PG_PORT/flor2
FLOR_HOME=$sqlite_home "$FLOR" store migrate --to "$pg2" | contains '^fm: 3 runs copied' || fail "migrate to flor2"
FLOR_HOME=$sqlite_home "$FLOR" store migrate --to "$pg2" fm | contains '^fm: 0 runs copied' || fail "second migrate to flor2"
FLOR_HOME=$sqlite_home FLOR_STORE=$pg2 "$FLOR" show fm --format csv > "$WORK/pg2.csv"
diff "$WORK/sqlite.csv" "$WORK/pg2.csv" || fail "show after migrating to PostgreSQL"
FLOR_HOME=$sqlite_home "$FLOR" --store "$pg2" log fm --format json | jq -r '[.[].run] | sort | map(tostring) | join(",")' |
  contains '^1,2,3$' || fail "run ids not kept"
echo "ok"
