#!/usr/bin/env bash
# Failure paths of record and replay: sparse checkpoints (tiny eps), failing
# checkpoint writes, a corrupted checkpoint, and kill -9 at random moments
# during record.
source "$(dirname "$0")/runtime_lib.bash"
E=4

# Sparse: with a tiny budget no checkpoint fits; replay still fills every
# epoch by re-executing, and asking for more workers than places to start fails.
"$TRAIN" --epochs $E "${ARGS[@]}" --flor sparse 0.00001 > /dev/null
expect_eq "$(q sparse "select count(*) from checkpoints")" 0 "checkpoints with a tiny eps"
q sparse "select note from epochs where run=1 and epoch=1" | grep -q "over budget" || fail "policy note missing"
"$TRAIN_HS" --replay_flor > /dev/null
expect_eq "$(q sparse "select count(distinct epoch) from logs where source=2 and name='weight_norm'")" $E "sparse replay epochs"
expect_eq "$(q sparse "select sum(executed)||'/'||sum(skipped) from epochs where run=2")" "$E/0" "sparse replay re-executed"
expect_eq "$(q sparse "select count(*) from divergences")" 0 "sparse replay divergences"
set +e
out=$("$TRAIN_HS" --replay_flor 1/2 2>&1)
set -e
echo "$out" | grep -q "use at most 1 worker$" || fail "sparse: too many workers: $out"

# Failing writes: packs/ is a file, so no checkpoint can be written (root
# ignores permissions; this fails as ENOSPC would). The record warns once,
# trains to the end, stores no checkpoint, and replay re-executes every epoch.
mkdir -p "$FLOR_HOME/nowrite/ckpt"
touch "$FLOR_HOME/nowrite/ckpt/packs"
"$TRAIN" --epochs $E "${ARGS[@]}" --flor nowrite 1 > /dev/null 2> "$FLOR_HOME/nowrite.err" || fail "record with failing writes"
expect_eq "$(grep -c "checkpoint write failed: .*Not a directory (training goes on" "$FLOR_HOME/nowrite.err")" 1 "one warning"
expect_eq "$(q nowrite "select status||' '||(select count(*) from epochs)||' '||(select count(*) from checkpoints) from runs")" "complete $E 0" "record with failing writes"
"$TRAIN_HS" --replay_flor > /dev/null
expect_eq "$(q nowrite "select sum(executed)||'/'||sum(skipped) from epochs where run=2")" "$E/0" "replay without checkpoints"
expect_eq "$(q nowrite "select count(*) from divergences")" 0 "replay without checkpoints: divergences"

# Corrupt: flip bytes in the tensor data of every checkpoint. Replay detects
# it by checksum, names the file, and falls back to re-executing, so the
# results are still right.
"$TRAIN" --epochs $E "${ARGS[@]}" --flor bad 1 > /dev/null
expect_eq "$(q bad "select count(*) from checkpoints")" $E "checkpoints to corrupt"
for f in "$FLOR_HOME"/bad/ckpt/packs/*; do
  printf '\xde\xad\xbe\xef\xde\xad\xbe\xef' | dd of="$f" bs=1 seek=4096 conv=notrunc status=none
done
"$TRAIN_HS" --replay_flor 2/2 > /dev/null 2> "$FLOR_HOME/corrupt.err"
grep -q "cannot restore $FLOR_HOME/bad/ckpt/[0-9a-f]\{8\}-r1-e0000.-b0.ckpt" "$FLOR_HOME/corrupt.err" || fail "corrupt file not named: $(cat "$FLOR_HOME/corrupt.err")"
R=$(q bad "select max(id) from runs")
expect_eq "$(q bad "select status from runs where id=$R")" complete "replay over corrupt checkpoints"
expect_eq "$(q bad "select count(*) from divergences where run=$R")" 0 "divergences over corrupt checkpoints"
expect_eq "$(q bad "select count(distinct epoch) from logs where source=$R and name='weight_norm'")" 2 "epochs of segment 2/2"

# Kill -9 during record, at several random moments: the store opens, the run
# stays visibly incomplete, and replay of the finished prefix works (it only
# loads checkpoints whose rows exist, i.e. whose files were durable, and
# verifies each checksum).
for seed in 1 2 3; do
  RANDOM=$seed
  name="kill$seed"
  "$TRAIN" --epochs 40 "${ARGS[@]}" --flor $name 1 > /dev/null 2>&1 &
  pid=$!
  # Wait until the run exists (start-up time varies on a busy machine), then a random moment.
  for _ in $(seq 100); do
    [ "$(q $name "select count(*) from runs" 2>/dev/null || true)" == 1 ] && break
    sleep 0.2
  done
  sleep "$(( RANDOM % 3 )).$(( RANDOM % 10 ))"
  kill -9 $pid
  wait $pid 2>/dev/null || true
  expect_eq "$(q $name "select status from runs where id=1")" running "killed run status ($name)"
  done_epochs=$(q $name "select count(*) from epochs where run=1")
  for path in $(q $name "select path from checkpoints where run=1"); do
    [ -s "$FLOR_HOME/$name/$path" ] || fail "checkpoint row without a file: $path"
  done
  if [ "$done_epochs" -eq 0 ]; then
    continue  # killed before the first epoch ended: nothing to replay
  fi
  "$TRAIN_HS" --replay_flor > /dev/null 2> "$FLOR_HOME/$name.err" || fail "replay of killed run $name: $(cat "$FLOR_HOME/$name.err")"
  expect_eq "$(q $name "select count(distinct epoch) from logs where source=2 and name='weight_norm'")" "$done_epochs" "replayed prefix ($name)"
  expect_eq "$(q $name "select count(*) from divergences")" 0 "divergences ($name)"
  echo "seed $seed: killed after $done_epochs epochs, $(q $name "select count(*) from checkpoints") checkpoints; replay ok"
done
echo "runtime_crash_sparse: ok"
