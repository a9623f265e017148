#!/usr/bin/env bash
# Three machines, simulated honestly: nothing shared but a PostgreSQL server
# (FLOR_STORE) and an S3-compatible server (FLOR_CKPT_URL), both real, on
# 127.0.0.1. Machine A (FLOR_HOME=A) records; the user adds log statements;
# segments 1/3, 2/3 and 3/3 replay as three processes on B, C and D (empty
# local FLOR_HOMEs: each downloads the checkpoints it restores). Every hindsight
# value lands in PostgreSQL, `flor show` on A shows them, and they equal the
# same story on one machine with SQLite. One worker killed mid-segment and its
# segment run again: no duplicate rows, the same values.
source "$(dirname "$0")/lib.bash"
source "$FLOR_SOURCE_DIR/test/common/s3.bash"
start_s3
source "$FLOR_SOURCE_DIR/test/common/pg.bash"
pg_start
setup_example
cd "$REPO"
epochs=3

# The reference: the same story on one machine, SQLite, no object store.
FLOR_HOME=$WORK/solo "$FLOR" run fm --eps 1 -- ./build/train --epochs $epochs "${TRAIN_ARGS[@]}" > "$WORK/solo.out" 2>&1 ||
  fail "solo record: $(cat "$WORK/solo.out")"
add_hindsight_logs
FLOR_HOME=$WORK/solo "$FLOR" replay fm > "$WORK/solo.out" 2>&1 || fail "solo replay: $(cat "$WORK/solo.out")"
FLOR_HOME=$WORK/solo "$FLOR" show fm --format csv > "$WORK/solo.csv"
git checkout -q -- train.cc && cp "$FLOR_BUILD_DIR/examples/fashion_mnist/train" build/train

export FLOR_STORE=$PG_URL FLOR_CKPT_URL=s3://ckpts/team
FLOR_HOME=$WORK/A "$FLOR" run fm --eps 1 -- ./build/train --epochs $epochs "${TRAIN_ARGS[@]}" > "$WORK/A.out" 2>&1 ||
  fail "record on A: $(cat "$WORK/A.out")"
expect_eq "$(pg_sql "SELECT count(*) FROM checkpoints WHERE experiment='fm'")" $epochs "checkpoints recorded"
expect_eq "$(pg_sql "SELECT count(*) FROM checkpoints WHERE experiment='fm' AND location<>'remote'")" 0 \
  "checkpoints not remote after the record"
add_hindsight_logs

segment() {  # segment K MACHINE: replays segment K/3 with FLOR_HOME=$WORK/MACHINE
  FLOR_HOME=$WORK/$2 "$FLOR" replay fm "$1/3" > "$WORK/$2.out" 2>&1 || fail "segment $1/3 on $2: $(cat "$WORK/$2.out")"
}
segment 1 B &
b=$!
segment 3 D &
d=$!
# Machine C's first worker is killed mid-segment (once its run row exists), then run again.
FLOR_HOME=$WORK/C setsid "$FLOR" replay fm 2/3 > "$WORK/C-killed.out" 2>&1 &
c=$!
for _ in $(seq 200); do
  [ "$(pg_sql "SELECT count(*) FROM runs WHERE experiment='fm' AND kind='replay'")" -ge 3 ] && break
  sleep 0.05
done
kill -KILL -- -"$c" 2>/dev/null || kill -KILL "$c" 2>/dev/null || true
wait "$c" 2>/dev/null || true
wait "$b" || fail "segment 1/3 on B"
wait "$d" || fail "segment 3/3 on D"
segment 2 C
for m in B C D; do
  [ ! -e "$WORK/$m/fm/flor.db" ] || fail "machine $m made a flor.db"
  [ -n "$(find "$WORK/$m/fm/ckpt" -name '*.ckpt' 2>/dev/null)" ] || echo "note: machine $m restored nothing (its segment starts at epoch 0)"
done
[ -n "$(find "$WORK/C/fm/ckpt" "$WORK/D/fm/ckpt" -name '*.ckpt' 2>/dev/null)" ] ||
  fail "machines C and D downloaded no checkpoint: $(cat "$WORK/C.out" "$WORK/D.out")"

expect_eq "$(pg_sql "SELECT count(*) FROM logs WHERE experiment='fm' AND name='weight_norm'")" $epochs \
  "weight_norm rows in PostgreSQL (one per epoch, none twice)"
expect_eq "$(pg_sql "SELECT count(*) FROM (SELECT epoch, name FROM logs WHERE experiment='fm' AND hindsight=1 \
  GROUP BY run, epoch, step, name HAVING count(*) > 1) d")" 0 "duplicated hindsight rows"
expect_eq "$(pg_sql "SELECT count(*) FROM divergences WHERE experiment='fm'")" 0 "divergences"
FLOR_HOME=$WORK/A "$FLOR" show fm --format csv > "$WORK/A.csv"
cat "$WORK/A.csv"
head -1 "$WORK/A.csv" | contains 'weight_norm' || fail "no hindsight column on A: $(cat "$WORK/A.csv")"
diff "$WORK/solo.csv" "$WORK/A.csv" || fail "three machines' values differ from one machine's"
echo "cluster_three_machines: ok"
