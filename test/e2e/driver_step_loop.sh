#!/usr/bin/env bash
# A step loop (examples/fashion_mnist/train_steps.cc: no nested loop, a
# sampled batch and dropout every step, a log per step) recorded with
# `flor run`: one epoch row per period, checkpoints at period ends and at the
# loop's end, at most 1 KB of store per step. Then, as its author would:
#  - a log added inside the loop: `flor replay -j 2` runs the loop in two
#    segments, the new values bit-identical to a plain run, fidelity ok;
#  - a log added after the loop only: the loop is skipped from its loop-end
#    checkpoint (when the probe set is known), the new value bit-identical;
# with negative controls: a probe set that may be incomplete runs the loop; no
# loop-end checkpoint, no skip; a tampered recorded value after the loop is
# caught; and a record without period checkpoints cannot be split.
source "$(dirname "$0")/steps_lib.bash"

# Plain runs of the edited programs: the values a replay must reproduce.
"$build/train_steps_in" "${ARGS[@]}" > "$WORK/plain_in.out"
sed -n 's/^step \([0-9]*\)\/.* grad_norm \(.*\)$/\1 \2/p' "$WORK/plain_in.out" |
  awk '{print $1 - 1, $2}' > "$WORK/plain_grad_norm"
[ "$(wc -l < "$WORK/plain_grad_norm")" -eq $((STEPS / 25)) ] || fail "plain run printed: $(cat "$WORK/plain_in.out")"
"$build/train_steps_after" "${ARGS[@]}" > "$WORK/plain_after.out"
plain_weight_norm=$(sed -n 's/^weight_norm //p' "$WORK/plain_after.out")

# --- record --------------------------------------------------------------------
"$FLOR" run st --eps 1 -- ./build/train_steps "${ARGS[@]}" > "$WORK/record.out" 2>&1 ||
  fail "record: $(cat "$WORK/record.out")"
expect_eq "$(q "select status from runs where id=1")" complete "record status"
expect_eq "$(q "select json_extract(info, '$.step_loop') from runs where id=1")" step "step loop named in the run"
# 400 steps: periods 1, 2, 4, ..., 128 (255 steps), then 145 of 256: 9 rows for 400 epochs.
expect_eq "$(q "select count(*)||' '||sum(iters)||' '||min(epoch)||' '||max(epoch+iters-1) from epochs where run=1")" \
  "9 400 0 399" "epoch rows (periods)"
expect_eq "$(q "select count(distinct epoch) from logs where run=1 and name='loss'")" $STEPS "a loss per step"
# eps 1: a checkpoint at every period end; the last one is the loop's end.
expect_eq "$(q "select group_concat(epoch) from (select epoch from checkpoints where run=1 and seq=-1 order by epoch)")" \
  "0,2,6,14,30,62,126,254,399" "end-of-iteration checkpoints"
bytes=$(cat "$FLOR_HOME"/st/flor.db* | wc -c)
echo "store: $bytes bytes for $STEPS steps ($((bytes / STEPS)) B/step)"
[ $((bytes / STEPS)) -le 1024 ] || fail "store bytes per step: $((bytes / STEPS)) > 1024"

# --- a log inside the loop: it runs, in 2 segments ----------------------------------
sed -i '1i #define STEPS_HINDSIGHT_IN' train_steps.cc
cp "$build/train_steps_in" build/train_steps
"$FLOR" replay st -j 2 > "$WORK/in.out" 2> "$WORK/in.err" || fail "replay -j 2: $(cat "$WORK/in.out" "$WORK/in.err")"
cat "$WORK/in.out"
[ "$(summary_runs "$WORK/in.out" | wc -l)" -eq 2 ] || fail "-j 2 used $(summary_runs "$WORK/in.out" | wc -l) worker(s)"
contains "^epochs replayed: $STEPS of $STEPS" < "$WORK/in.out" || fail "epochs replayed"
contains '^fidelity: ok (every recorded value reproduced)' < "$WORK/in.out" || fail "fidelity"
contains '^new logs: grad_norm' < "$WORK/in.out" || fail "new logs"
runs=$(summary_runs "$WORK/in.out" | paste -sd,)
w2=$(summary_runs "$WORK/in.out" | tail -1)
first2=$(q "select min(epoch) from epochs where run=$w2")
[ "$first2" -gt 0 ] || fail "segment 2 starts at epoch $first2"
q "select count(*) from checkpoints where run=1 and seq=-1 and epoch=$((first2 - 1))" | contains '^1$' ||
  fail "segment 2 does not start after a checkpoint ($first2)"
expect_eq "$(q "select count(*)||' '||count(distinct epoch) from logs where source in ($runs) and name='grad_norm'")" \
  "$STEPS $STEPS" "grad_norm once per step"
q "select epoch, value from logs where source in ($runs) and name='grad_norm'" | tr '|' ' ' > "$WORK/replay_grad_norm"
same_values "$WORK/plain_grad_norm" "$WORK/replay_grad_norm" "grad_norm vs the plain run"
# Replay keeps the books per period too: a row per recorded period, not per step.
[ "$(q "select count(*) from epochs where run in ($runs)")" -le 11 ] || fail "replay rows: $(q "select count(*) from epochs where run in ($runs)")"

# --epochs selects steps; the segment starts from the checkpoint before them.
"$FLOR" replay st --epochs 100-199 > "$WORK/range.out" 2>&1 || fail "--epochs: $(cat "$WORK/range.out")"
contains '^epochs replayed: 100 of 100' < "$WORK/range.out" || fail "--epochs 100-199: $(cat "$WORK/range.out")"
contains '^fidelity: ok' < "$WORK/range.out" || fail "--epochs fidelity"
r=$(summary_runs "$WORK/range.out")
expect_eq "$(q "select count(*)||' '||min(epoch)||' '||max(epoch) from logs where source=$r and name='grad_norm'")" \
  "100 100 199" "grad_norm of steps 100-199"

# --- a log after the loop only: the loop is skipped from its loop-end checkpoint -------
sed -i '1d' train_steps.cc
sed -i '1i #define STEPS_HINDSIGHT_AFTER' train_steps.cc
cp "$build/train_steps_after" build/train_steps
"$FLOR" replay st --no-probes > "$WORK/after.out" 2>&1 || fail "skipping replay: $(cat "$WORK/after.out")"
cat "$WORK/after.out"
contains '^fidelity: ok (the step loop was skipped' < "$WORK/after.out" || fail "skip verdict"
r=$(summary_runs "$WORK/after.out")
expect_eq "$(q "select epoch||' '||iters||' '||skipped from epochs where run=$r")" "0 $STEPS 1" "one skipped row"
q "select note from epochs where run=$r" | contains 'r1-e00399.ckpt' || fail "restored from $(q "select note from epochs where run=$r")"
grep -q '^step ' "$FLOR_HOME/st/logs/run-$r.out" && fail "the skipped loop printed steps"
printf '0 %s\n' "$plain_weight_norm" > "$WORK/plain_wn"
printf '0 %s\n' "$(q "select value from logs where source=$r and name='weight_norm'")" > "$WORK/replay_wn"
same_values "$WORK/plain_wn" "$WORK/replay_wn" "weight_norm after the skipped loop vs the plain run"
expect_eq "$(q "select count(*) from divergences where run=$r")" 0 "divergences (test_acc compared)"

# Negative control: automatic probes are never known to be complete (here the
# #define turns on a log line both versions have): the loop runs.
"$FLOR" replay st > "$WORK/auto.out" 2> "$WORK/auto.err" || fail "auto replay: $(cat "$WORK/auto.err")"
contains '^fidelity: ok (every recorded value reproduced)' < "$WORK/auto.out" || fail "auto: loop not run"
r=$(summary_runs "$WORK/auto.out")
expect_eq "$(q "select sum(iters)||' '||sum(skipped) from epochs where run=$r")" "$STEPS 0" "auto: every step ran"

# Negative control: a tampered recorded value after the loop is caught by the skipping replay.
q "update logs set value='0.5' where run=1 and source=1 and name='test_acc'"
rc=0
"$FLOR" replay st --no-probes > "$WORK/div.out" 2>&1 || rc=$?
expect_eq $rc 3 "exit status of a diverging skipping replay"
contains "^fidelity: DIVERGED" < "$WORK/div.out" || fail "divergence not reported: $(cat "$WORK/div.out")"

# Negative control: without the loop-end checkpoint the loop is not skipped.
q "delete from checkpoints where run=1 and epoch=399"
"$FLOR" replay st --no-probes --tolerate > "$WORK/noend.out" 2>&1 || fail "replay without the loop-end checkpoint"
r=$(summary_runs "$WORK/noend.out")
expect_eq "$(q "select sum(iters)||' '||sum(skipped) from epochs where run=$r")" "$STEPS 0" "no loop-end checkpoint: every step ran"

# Negative control: a record without period checkpoints (eps 0) offers one segment.
git checkout -q train_steps.cc && cp "$build/train_steps" build/train_steps
"$FLOR" run st --eps 0 -- ./build/train_steps "${ARGS[@]}" > /dev/null 2>&1 || fail "record eps 0"
R=$(q "select max(id) from runs where kind='record'")
expect_eq "$(q "select group_concat(epoch) from checkpoints where run=$R")" 399 "eps 0: the loop-end checkpoint only"
"$FLOR" replay st -j 2 > "$WORK/eps0.out" 2> "$WORK/eps0.err" || fail "replay eps 0: $(cat "$WORK/eps0.err")"
contains 'offers 1 place(s) to start a segment' < "$WORK/eps0.err" || fail "eps 0 split: $(cat "$WORK/eps0.err")"
echo "driver_step_loop: ok"
