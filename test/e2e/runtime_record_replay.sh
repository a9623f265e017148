#!/usr/bin/env bash
# Record the Fashion-MNIST example, add log statements (train_hindsight), and
# replay serially, as 2 and as 3 segments, and with a probed batch loop:
# new logs for every epoch, old logs bit-identical, every epoch exactly once.
source "$(dirname "$0")/runtime_lib.bash"
E=5

# Record with a budget that allows a checkpoint after every epoch.
"$TRAIN" --epochs $E "${ARGS[@]}" --flor fm 1 > "$FLOR_HOME/record.out"
grep -q "flor: record" "$FLOR_HOME/record.out" || fail "record mode not reported"
expect_eq "$(q fm "select status from runs where id=1")" complete "record run status"
expect_eq "$(q fm "select count(*) from epochs where run=1")" $E "recorded epochs"
expect_eq "$(q fm "select count(*) from checkpoints where run=1")" $E "checkpoints (eps 1)"
expect_eq "$(q fm "select count(distinct epoch) from logs where run=1 and name='test_acc'")" $E "recorded test_acc"
expect_eq "$(q fm "select value from args where run=1 and name='epochs'")" $E "recorded --epochs"

# A plain run of the same program writes nothing.
"$TRAIN" --epochs 1 "${ARGS[@]}" > /dev/null
expect_eq "$(q fm "select count(*) from runs")" 1 "plain run left no run row"

# Serial replay: every epoch skipped and restored, a new log for each.
"$TRAIN_HS" --replay_flor > "$FLOR_HOME/serial.out"
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
    FLOR_MODE=replay FLOR_NAME=fm FLOR_SEGMENT=$P/$N "$TRAIN_HS" --epochs $E "${ARGS[@]}" > "$FLOR_HOME/seg$P.out" &
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

# Probed batch loop: segment 2 of 3 re-executes its epoch's batches, logs the
# per-step gradient norm, and matches the recorded per-epoch loss bit for bit.
before=$(q fm "select max(id) from runs")
FLOR_PROBE=batch "$TRAIN_HS" --replay_flor 2/3 > "$FLOR_HOME/probe.out"
R=$(q fm "select max(id) from runs")
# 5 epochs in 3 balanced segments: 0-1, 2, 3-4.
expect_eq "$(q fm "select group_concat(epoch) from epochs where run=$R")" "2" "probed segment epochs"
expect_eq "$(q fm "select sum(executed)||'/'||sum(skipped) from epochs where run=$R")" "1/0" "probed blocks ran"
expect_eq "$(q fm "select count(*)||' '||min(step)||' '||max(step) from logs where source=$R and name='grad_norm' and epoch=2")" \
  "16 0 15" "grad_norm per step of epoch 2"
expect_eq "$(q fm "select count(*) from logs where source=$R and name='grad_norm' and epoch<>2")" 0 "grad_norm outside the segment"
expect_eq "$(q fm "select count(*) from divergences where run=$R")" 0 "probed replay diverged"

# Strong init of the last segment: earlier epochs run their outer body, blocks restored.
"$TRAIN_HS" --replay_flor strong 3/3 > "$FLOR_HOME/strong.out"
R=$(q fm "select max(id) from runs")
expect_eq "$(q fm "select status from runs where id=$R")" complete "strong replay"
expect_eq "$(q fm "select group_concat(epoch) from epochs where run=$R")" "3,4" "strong segment epochs"

# Fidelity: tamper with one recorded value; the replay reports it and fails...
q fm "update logs set value='0.5' where run=1 and source=1 and name='test_acc' and epoch=3"
set +e
"$TRAIN_HS" --replay_flor > /dev/null 2> "$FLOR_HOME/div.err"
rc=$?
set -e
expect_eq $rc 3 "exit status of a diverging replay"
grep -q "1 logged value(s) differ; first at epoch 3, step -1, 'test_acc'" "$FLOR_HOME/div.err" || fail "divergence report: $(cat "$FLOR_HOME/div.err")"
grep -q "recorded 0.5, replayed" "$FLOR_HOME/div.err" || fail "divergence values not shown"
R=$(q fm "select max(id) from runs")
expect_eq "$(q fm "select status from runs where id=$R")" failed "diverging replay status"
expect_eq "$(q fm "select name||' '||epoch||' '||recorded from divergences where run=$R")" "test_acc 3 0.5" "stored divergence"
# ... unless told to tolerate it.
FLOR_TOLERATE=1 FLOR_MODE=replay FLOR_NAME=fm "$TRAIN_HS" --epochs $E "${ARGS[@]}" > /dev/null 2>&1 || fail "tolerated divergence failed"

# Replay does not rewrite history: a changed hyper-parameter is an error.
set +e
out=$("$TRAIN_HS" --replay_flor --lr 0.5 2>&1)
rc=$?
set -e
expect_eq $rc 2 "exit status of an arg change on replay"
echo "$out" | grep -q -- "--lr was recorded as 0.001 but this command line asks for 0.5" || fail "arg conflict message: $out"

# Bad segment specs and too many workers get clear errors.
for spec in 0/5 6/5 3/0 x; do
  set +e
  out=$("$TRAIN_HS" --replay_flor $spec 2>&1)
  rc=$?
  set -e
  expect_eq $rc 2 "exit status for --replay_flor $spec"
  echo "$out" | grep -q "flor: error: --replay_flor $spec" || fail "message for $spec: $out"
done
set +e
out=$("$TRAIN_HS" --replay_flor 1/6 2>&1)
set -e
echo "$out" | grep -q "use at most 5 workers" || fail "too many workers: $out"
echo "runtime_record_replay: ok"
