#!/usr/bin/env bash
# The unbounded form of a step loop (`for (int64_t step : flor::loop("step"))
# { if (step == steps) break; ... }`, train_steps built with STEPS_UNBOUNDED):
# the iteration that breaks ends the loop and counts as an epoch, as in any
# main loop. Recorded with `flor run`, replayed in 2 segments (every recorded
# value reproduced), and skipped whole for a log after the loop, restored from
# the checkpoint at the breaking iteration.
source "$(dirname "$0")/lib.bash"
setup_steps_project
sed -i '1i #define STEPS_UNBOUNDED' train_steps.cc
cp "$build/train_steps_unbounded" build/train_steps
git commit -qam "train until the step budget, in the while(true) form"

"$FLOR" run st --eps 1 -- ./build/train_steps "${ARGS[@]}" > "$WORK/record.out" 2>&1 ||
  fail "record: $(cat "$WORK/record.out")"
expect_eq "$(q st "select json_extract(info, '$.step_loop') from runs where id=1")" step "step loop named in the run"
expect_eq "$(q st "select count(*)||' '||sum(iters) from epochs where run=1")" "9 $((STEPS + 1))" "periods (the breaking iteration included)"
expect_eq "$(q st "select count(*) from logs where run=1 and name='loss'")" $STEPS "a loss per step"
expect_eq "$(q st "select max(epoch) from checkpoints where run=1 and seq=-1")" $STEPS "checkpoint at the breaking iteration"

"$FLOR" replay st -j 2 > "$WORK/j2.out" 2>&1 || fail "replay -j 2: $(cat "$WORK/j2.out")"
cat "$WORK/j2.out"
[ "$(summary_runs "$WORK/j2.out" | wc -l)" -eq 2 ] || fail "-j 2 used $(summary_runs "$WORK/j2.out" | wc -l) worker(s)"
contains "^epochs replayed: $((STEPS + 1)) of $((STEPS + 1))" < "$WORK/j2.out" || fail "epochs replayed"
contains '^fidelity: ok (every recorded value reproduced)' < "$WORK/j2.out" || fail "fidelity"

"$FLOR" replay st --no-probes > "$WORK/skip.out" 2>&1 || fail "skipping replay: $(cat "$WORK/skip.out")"
contains '^fidelity: ok (the step loop was skipped' < "$WORK/skip.out" || fail "skip: $(cat "$WORK/skip.out")"
r=$(summary_runs "$WORK/skip.out")
q st "select note from epochs where run=$r" | contains "r1-e00$STEPS.ckpt" || fail "restored from $(q st "select note from epochs where run=$r")"
expect_eq "$(q st "select count(*) from divergences where run=$r")" 0 "divergences (test_acc compared)"
echo "driver_step_loop_unbounded: ok"
