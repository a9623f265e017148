#!/usr/bin/env bash
# The recorded example, given log statements (train_hindsight), replays
# serially and as 2 and as 3 segments (through the environment contract, as
# the driver starts them): a new log for every epoch, every epoch exactly
# once, no divergence, and the new values do not depend on the split.
source "$(dirname "$0")/lib.bash"
setup_fmnist_binaries
E=5
"$TRAIN" --epochs $E "${ARGS[@]}" --flor fm 1 > "$WORK/record.out"

# Serial replay: every epoch skipped and restored, a new log for each.
"$TRAIN_HS" --replay_flor > "$WORK/serial.out"
R=$(q fm "select max(id) from runs")
expect_eq "$(q fm "select status||' '||exit_code from runs where id=$R")" "complete 0" "serial replay"
expect_eq "$(q fm "select count(distinct epoch) from logs where run=1 and source=$R and name='weight_norm' and hindsight=1")" $E "hindsight weight_norm"
expect_eq "$(q fm "select sum(skipped)||'/'||sum(executed) from epochs where run=$R")" "$E/0" "blocks skipped/executed"
expect_eq "$(q fm "select count(*) from divergences where run=$R")" 0 "divergences"

# Segments: N workers in parallel, through the environment contract as the driver does.
for N in 2 3; do
  before=$(q fm "select max(id) from runs")
  pids=()
  for P in $(seq 1 $N); do
    FLOR_MODE=replay FLOR_NAME=fm FLOR_SEGMENT=$P/$N "$TRAIN_HS" --epochs $E "${ARGS[@]}" > "$WORK/seg$P.out" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || fail "segment worker $pid of $N failed"; done
  expect_eq "$(q fm "select count(*) from runs where id>$before and status='complete'")" $N "complete workers of $N"
  # The union of the segments is every epoch, once.
  expect_eq "$(q fm "select group_concat(epoch) from (select epoch from epochs where run>$before order by epoch)")" \
    "0,1,2,3,4" "epochs covered by $N segments"
  expect_eq "$(q fm "select count(*) from logs where source>$before and name='weight_norm'")" $E "weight_norm rows, $N segments"
  expect_eq "$(q fm "select count(*) from divergences where run>$before")" 0 "divergences, $N segments"
done
# The new values do not depend on how the epochs were split.
expect_eq "$(q fm "select count(distinct epoch||'='||value) from logs where name='weight_norm'")" $E "weight_norm identical across replays"
echo "runtime_replay_segments: ok"
