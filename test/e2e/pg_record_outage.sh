#!/usr/bin/env bash
# The PostgreSQL server goes away in the middle of `flor run` and training
# never stops for it:
#   back: the server is stopped at epoch 2 and started again at epoch 8. One
#     warning; the held logs land once, in order; the run is complete (exit 0).
#   gone: the server is stopped at epoch 2 and comes back only after the
#     program's loop. With 1 MiB for held logs, some are dropped: the program
#     still runs to its end, the run is marked failed with the number of rows
#     lost, and its exit status stays the program's.
#   down: the server is stopped at epoch 2 and stays down past the end: the
#     program still runs to its end, says what could not be stored, and flor
#     says the run's end is not stored (exit 1); back, the server shows it dead.
source "$(dirname "$0")/lib.bash"
source "$FLOR_SOURCE_DIR/test/common/pg.bash"
pg_start
setup_program store_full
cd "$REPO"
export FLOR_STORE=$PG_URL
# The program stops and starts the server itself, at the start of an epoch:
# `hook down` / `hook up` (so the outage falls on known epochs).
cat > "$WORK/hook" <<EOF
#!/usr/bin/env bash
source "$FLOR_SOURCE_DIR/test/common/pg.bash"
PG_DIR=$PG_DIR PG_PORT=$PG_PORT
cd /  # the server's user may not enter the project's folder
case \$1 in down) pg_stop ;; up) pg_start_again ;; esac
EOF
chmod +x "$WORK/hook"

record() {  # record NAME EPOCHS FREE_AT [ENV...]: sets $rc; output in $WORK/NAME.{out,err}
  local name=$1 epochs=$2 free_at=$3
  shift 3
  rc=0
  env "$@" timeout 300 "$FLOR" run "$name" -- ./build/train --epochs "$epochs" --rows 1000 --bytes 100 \
    --hook "$WORK/hook" --fill-at 2 --free-at "$free_at" > "$WORK/$name.out" 2> "$WORK/$name.err" || rc=$?
  cat "$WORK/$name.err"
}
runq() {  # runq NAME SQL: SQL over the one run of experiment NAME (as r), in PostgreSQL
  pg_sql "SELECT $2 FROM runs r WHERE r.experiment='$1'"
}

record back 12 8
expect_eq "$rc" 0 "exit status when every held log was stored"
expect_eq "$(grep -c 'cannot store logs' "$WORK/back.err")" 1 "warnings about the store"
grep -q "PostgreSQL at '$PG_URL'" "$WORK/back.err" || fail "the warning does not name the server"
grep -q 'stored the .* held' "$WORK/back.err" || fail "no line saying the held logs were stored"
expect_eq "$(runq back "(SELECT count(*)||' '||count(DISTINCT epoch) FROM logs l
                         WHERE l.experiment=r.experiment AND l.run=r.id)")" "12000 12" "logs stored"
expect_eq "$(runq back "(SELECT count(*) FROM epochs e WHERE e.experiment=r.experiment AND e.run=r.id)")" 12 \
  "epoch rows stored"
expect_eq "$(runq back "(SELECT count(*) FROM (SELECT epoch, lag(epoch) OVER (ORDER BY id) AS prev FROM logs l
                          WHERE l.experiment=r.experiment AND l.run=r.id) o WHERE epoch < prev)")" 0 \
  "logs stored out of epoch order"
expect_eq "$(runq back "r.status||' '||r.exit_code")" "complete 0" "run status"

record gone 12 12 FLOR_LOG_MEMORY_MB=1
expect_eq "$rc" 1 "exit status when logs were dropped"
grep -q '^flor: error: [0-9]* of 12000 log rows (epochs .*) and [0-9]* epoch rows could not be stored: .*the run is marked failed$' \
  "$WORK/gone.err" || fail "no summary of the rows lost"
expect_eq "$(runq gone "r.status||' '||r.exit_code")" "failed 0" "run status after rows were lost"
grep -q "run 1 of 'gone' failed (exit 0): [0-9]* log rows could not be stored" "$WORK/gone.err" ||
  fail "flor's last line does not name the loss"
lost=$(sed -n 's/^flor: error: \([0-9]*\) of .*/\1/p' "$WORK/gone.err")
expect_eq "$(runq gone "(SELECT count(*) FROM logs l WHERE l.experiment=r.experiment AND l.run=r.id)")" \
  $((12000 - lost)) "logs stored = produced - reported lost"
"$FLOR" show gone > "$WORK/gone.show" 2>&1 || fail "show: $(cat "$WORK/gone.show")"

record down 6 -1
expect_eq "$rc" 1 "exit status when the run's end could not be stored"
# The server stops as epoch 2 starts; on a loaded machine epoch 1's rows may still be on their way then.
summary=$(grep -o '^flor: error: [0-9]* of 6000 log rows (epochs [12]-5) and [0-9]* epoch rows could not be stored' \
  "$WORK/down.err") || fail "no summary of what could not be stored"
first=$(sed 's/.*(epochs \([12]\)-5).*/\1/' <<< "$summary")
expect_eq "$summary" "flor: error: $(((6 - first) * 1000)) of 6000 log rows (epochs $first-5) and $((6 - first)) epoch rows could not be stored" \
  "the summary's counts"
grep -q "cannot mark run 1 of .* as failed (exit 0); it stays 'running' in the store" "$WORK/down.err" ||
  fail "flor does not say the run's end is not stored"
# Back, the server shows the run as what it is: its process is gone.
pg_start_again
"$FLOR" show down > "$WORK/down.show" 2>&1 || fail "show: $(cat "$WORK/down.show")"
expect_eq "$(runq down "r.status")" dead "run status once the server is back"
echo "pg_record_outage: ok"
