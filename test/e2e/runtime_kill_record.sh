#!/usr/bin/env bash
# Kill -9 during a record of the example, at several random moments: the
# store opens, the run stays visibly incomplete, and replay of the finished
# prefix works (it only loads checkpoints whose rows exist, i.e. whose files
# were durable, and verifies each checksum).
source "$(dirname "$0")/lib.bash"
setup_fmnist_binaries

for seed in 1 2 3; do
  RANDOM=$seed
  name="kill$seed"
  # More epochs than the run can reach before the kill (~25 ms each here):
  # the kill always meets a running process.
  "$TRAIN" --epochs 2000 "${ARGS[@]}" --flor $name 1 > /dev/null 2>&1 &
  pid=$!
  # Wait until the run exists (start-up time varies on a busy machine), then a random moment.
  for _ in $(seq 100); do
    [ "$(q $name "select count(*) from runs" 2>/dev/null || true)" == 1 ] && break
    sleep 0.2
  done
  sleep "$(( RANDOM % 3 )).$(( RANDOM % 10 ))"
  kill -9 $pid 2>/dev/null || fail "run $name ended before the kill: give it more epochs"
  wait $pid 2>/dev/null || true
  expect_eq "$(q $name "select status from runs where id=1")" running "killed run status ($name)"
  done_epochs=$(q $name "select count(*) from epochs where run=1")
  for path in $(q $name "select path from checkpoints where run=1"); do
    [ -s "$FLOR_HOME/$name/$path" ] || fail "checkpoint row without a file: $path"
  done
  if [ "$done_epochs" -eq 0 ]; then
    continue  # killed before the first epoch ended: nothing to replay
  fi
  "$TRAIN_HS" --replay_flor > /dev/null 2> "$WORK/$name.err" || fail "replay of killed run $name: $(cat "$WORK/$name.err")"
  expect_eq "$(q $name "select count(distinct epoch) from logs where source=2 and name='weight_norm'")" "$done_epochs" "replayed prefix ($name)"
  expect_eq "$(q $name "select count(*) from divergences")" 0 "divergences ($name)"
  echo "seed $seed: killed after $done_epochs epochs, $(q $name "select count(*) from checkpoints") checkpoints; replay ok"
done
echo "runtime_kill_record: ok"
