#!/usr/bin/env bash
# Checkpoints name the run, epoch and block they hold (their manifest's
# origin), and `flor show` never passes off a diverged replay's values as
# hindsight values.
# 1. Epoch 3's checkpoint copied over epoch 5's: the restore refuses it (the
#    summary names it, exit 4), re-executes epoch 5, and the replay does not
#    diverge: its values are those of a replay over intact checkpoints.
# 2. A replay that does diverge (a counter the block updates that nobody
#    registered, so skipping the block changes it): `flor show` puts its
#    values in NAME@diverged columns in table, csv and json.
source "$(dirname "$0")/lib.bash"
setup_program callee_batches
cd "$REPO"
export FLOR_TEST_HINDSIGHT=1  # replays log weight_norm too, as if a statement had been added (the record does not)
csv_column() {  # FILE NAME: the column's values, one a line
  python3 -c 'import csv,sys; print("\n".join(r[sys.argv[2]] for r in csv.DictReader(open(sys.argv[1]))))' "$1" "$2"
}

# 1. A checkpoint copied over another.
env -u FLOR_TEST_HINDSIGHT "$FLOR" run copy --eps 1 -- ./build/train --epochs 6 > "$WORK/record.out" 2>&1 || fail "record: $(cat "$WORK/record.out")"
"$FLOR" dump copy:1 --json > "$WORK/dump.json"
ckpt_of() {  # EPOCH: its checkpoint's path (relative to the experiment folder)
  python3 -c 'import json,sys; print([c["path"] for c in json.load(open(sys.argv[1]))["checkpoints"] if c["epoch"] == int(sys.argv[2])][0])' "$WORK/dump.json" "$1"
}
e3=$(ckpt_of 3) e5=$(ckpt_of 5)
"$FLOR" replay copy -j 2 --no-probes > "$WORK/intact.out" 2>&1 || fail "intact replay: $(cat "$WORK/intact.out")"
"$FLOR" show copy --format csv > "$WORK/intact.csv"
[ "$(csv_column "$WORK/intact.csv" weight_norm | grep -c .)" -eq 6 ] || fail "intact weight_norm: $(cat "$WORK/intact.csv")"

cp "$FLOR_HOME/copy/$e3" "$FLOR_HOME/copy/$e5"
rc=0
"$FLOR" replay copy -j 2 --no-probes > "$WORK/copied.out" 2> "$WORK/copied.err" || rc=$?
cat "$WORK/copied.out"
[ $rc -eq 4 ] || fail "exit status $rc, expected 4: $(cat "$WORK/copied.out" "$WORK/copied.err")"
grep -q "^checkpoints refused: 1 " "$WORK/copied.out" || fail "refused count"
grep -q "^  $e5 (epoch 5, block 'train_epoch'): .*holds the state of run 1, epoch 3, block 'train_epoch' (#0), not of run 1, epoch 5.*; re-executing block 'train_epoch' of epoch 5$" \
  "$WORK/copied.out" || fail "$e5 not named with both origins"
! grep -q '^restored: nothing' "$WORK/copied.out" || fail "the other checkpoints restored"
grep -qxF 'fidelity: ok (every recorded value reproduced), but 1 checkpoint(s) were refused' "$WORK/copied.out" ||
  fail "verdict: $(grep fidelity "$WORK/copied.out")"
"$FLOR" show copy --format csv > "$WORK/copied.csv"
[ "$(csv_column "$WORK/copied.csv" weight_norm)" = "$(csv_column "$WORK/intact.csv" weight_norm)" ] ||
  fail "values after the refusal differ from the intact replay's: $(cat "$WORK/intact.csv" "$WORK/copied.csv")"
! head -1 "$WORK/copied.csv" | contains '@diverged' || fail "nothing diverged: $(head -1 "$WORK/copied.csv")"

# 2. A replay that diverges.
env -u FLOR_TEST_HINDSIGHT "$FLOR" run drift --eps 1 -- ./build/train --epochs 4 --count-calls > "$WORK/record2.out" 2>&1 ||
  fail "record: $(cat "$WORK/record2.out")"
rc=0
"$FLOR" replay drift -j 2 --no-probes > "$WORK/drift.out" 2>&1 || rc=$?
[ $rc -eq 3 ] || fail "diverging replay: exit $rc: $(cat "$WORK/drift.out")"
grep -q "^fidelity: DIVERGED: .*'calls'" "$WORK/drift.out" || fail "verdict: $(cat "$WORK/drift.out")"
"$FLOR" show drift > "$WORK/drift.txt"
"$FLOR" show drift --format csv > "$WORK/drift.csv"
"$FLOR" show drift --format json > "$WORK/drift.json"
cat "$WORK/drift.txt"
head -1 "$WORK/drift.txt" | contains 'weight_norm@diverged' || fail "table header: $(head -1 "$WORK/drift.txt")"
! head -1 "$WORK/drift.txt" | contains 'weight_norm\*' || fail "table shows diverged values as hindsight values"
contains '^@diverged: filled in by replay run(s) .*, which diverged from the record' < "$WORK/drift.txt" || fail "table footnote"
[ "$(head -1 "$WORK/drift.csv")" = "epoch,step,batch_loss,weight_sum,calls,weight_norm@diverged" ] ||
  fail "csv header: $(head -1 "$WORK/drift.csv")"
[ "$(csv_column "$WORK/drift.csv" weight_norm@diverged | grep -c .)" -eq 4 ] || fail "csv values: $(cat "$WORK/drift.csv")"
python3 - "$WORK/drift.json" <<'PY' || fail "json: $(cat "$WORK/drift.json")"
import json, sys
rows = json.load(open(sys.argv[1]))
assert all("weight_norm" not in r for r in rows), rows
assert sum(r.get("weight_norm@diverged") is not None for r in rows) == 4, rows
PY
# --tolerate: the divergence is reported, not an error, with several workers too.
"$FLOR" replay drift -j 2 --no-probes --tolerate > "$WORK/tolerated.out" 2>&1 ||
  fail "tolerated divergence: exit $?: $(cat "$WORK/tolerated.out")"
contains 'fidelity: DIVERGED' < "$WORK/tolerated.out" || fail "tolerated divergence not reported: $(cat "$WORK/tolerated.out")"
# A faithful replay (one worker from epoch 0, the block runs, so the counter counts): its values are plain hindsight values again.
"$FLOR" replay drift --probe train_epoch > "$WORK/probe.out" 2>&1 || fail "probed replay: $(cat "$WORK/probe.out")"
"$FLOR" show drift --format csv > "$WORK/both.csv"
[ "$(csv_column "$WORK/both.csv" weight_norm | grep -c .)" -eq 4 ] || fail "faithful values: $(cat "$WORK/both.csv")"
head -1 "$WORK/both.csv" | contains 'weight_norm@diverged' || fail "the diverged replay's values are still marked"
echo "replay_diverged_show: ok"
