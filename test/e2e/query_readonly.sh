#!/usr/bin/env bash
# flor query: read-only SQL over the documented views, in three formats and
# across experiments; a bad statement or one that writes is one clear error,
# and the store is byte-identical afterwards.
source "$(dirname "$0")/driver_lib.bash"
setup_example
cd "$REPO"
"$FLOR" run fm --eps 1 -- ./build/train --epochs 2 "${TRAIN_ARGS[@]}" > /dev/null
"$FLOR" run fm2 -- ./build/train --epochs 1 "${TRAIN_ARGS[@]}" > /dev/null

"$FLOR" query fm "SELECT epoch, value FROM logs WHERE name='test_acc' ORDER BY epoch" --format csv > "$WORK/q.csv"
[ "$(head -1 "$WORK/q.csv")" = "epoch,value" ] || fail "header: $(cat "$WORK/q.csv")"
[ "$(tail -n +2 "$WORK/q.csv" | wc -l)" -eq 2 ] || fail "rows: $(cat "$WORK/q.csv")"
"$FLOR" query fm "SELECT kind, count(*) AS n FROM logs GROUP BY kind" --format json | contains '"kind": "scalar"' ||
  fail "kind column"
"$FLOR" query fm "SELECT r.kind, a.value FROM runs r JOIN args a ON a.run = r.id WHERE a.name='epochs'" |
  contains 'record' || fail "runs and args views"
"$FLOR" query --all "SELECT count(*) AS n FROM logs WHERE name='test_acc'" --format csv > "$WORK/all.csv"
[ "$(cat "$WORK/all.csv")" = "$(printf 'experiment,n\nfm,2\nfm2,1')" ] || fail "--all: $(cat "$WORK/all.csv")"

before=$(sha256sum "$FLOR_HOME/fm/flor.db")
one_line_error "$FLOR" query fm "SELEC nonsense"
one_line_error "$FLOR" query fm "DELETE FROM logs"
one_line_error "$FLOR" query fm "DROP VIEW logs"
one_line_error "$FLOR" query fm "SELECT 1; DELETE FROM main.logs"
out=$("$FLOR" query fm "DELETE FROM main.logs" 2>&1) && fail "a write statement ran"
contains 'only reads' <<<"$out" || fail "write not named: $out"
[ "$(sha256sum "$FLOR_HOME/fm/flor.db")" = "$before" ] || fail "a refused query changed the store"
[ "$("$FLOR" query fm "SELECT count(*) AS n FROM logs" --format csv | tail -1)" -gt 0 ] || fail "logs gone"
echo "ok"
