#!/usr/bin/env bash
# The step loop example (see driver_step_loop.sh) recorded with `flor run`,
# then a log added after the loop only: the loop is skipped from its loop-end
# checkpoint (when the probe set is known), the new value bit-identical to a
# plain run; with negative controls: a probe set that may be incomplete runs
# the loop; a tampered recorded value after the loop is caught; no loop-end
# checkpoint, no skip.
source "$(dirname "$0")/lib.bash"
setup_steps_project

# A plain run of the edited program: the value a replay must reproduce (the
# program's own output: a plain run has no store to read), at epoch -1 (after the loop).
"$build/train_steps_after" "${ARGS[@]}" > "$WORK/plain_after.out"
printf -- '-1 %s\n' "$(sed -n 's/^weight_norm //p' "$WORK/plain_after.out")" > "$WORK/plain_wn"

"$FLOR" run st --eps 1 -- ./build/train_steps "${ARGS[@]}" > "$WORK/record.out" 2>&1 ||
  fail "record: $(cat "$WORK/record.out")"

# --- a log after the loop only: the loop is skipped from its loop-end checkpoint -------
log_after_loop() {
  sed -i '1i #define STEPS_HINDSIGHT_AFTER' train_steps.cc
  cp "$build/train_steps_after" build/train_steps
}
record_replay_compare --edit log_after_loop st weight_norm -1 "$WORK/plain_wn" --no-probes
contains '^fidelity: ok (the step loop was skipped' < "$WORK/replay.out" || fail "skip verdict"
r=${REPLAY_RUNS[0]}
expect_eq "$(q st "select epoch||' '||iters||' '||skipped from epochs where run=$r")" "0 $STEPS 1" "one skipped row"
q st "select note from epochs where run=$r" | contains 'r1-e00399.ckpt' || fail "restored from $(q st "select note from epochs where run=$r")"
grep -q '^step ' "$FLOR_HOME/st/logs/run-$r.out" && fail "the skipped loop printed steps"
expect_eq "$(q st "select count(*) from divergences where run=$r")" 0 "divergences (test_acc compared)"

# Negative control: automatic probes are not known to be complete when a
# changed file's lines that log are the same (here the #define turns on a log
# line both versions have): the loop runs, and flor says why.
"$FLOR" replay st > "$WORK/auto.out" 2> "$WORK/auto.err" || fail "auto replay: $(cat "$WORK/auto.err")"
contains "step loop 'step' runs: train_steps.cc changed, but not its lines that log" < "$WORK/auto.err" ||
  fail "auto: no note: $(cat "$WORK/auto.err")"
contains '^fidelity: ok (every recorded value reproduced)' < "$WORK/auto.out" || fail "auto: loop not run"
r=$(summary_runs "$WORK/auto.out")
expect_eq "$(q st "select sum(iters)||' '||sum(skipped) from epochs where run=$r")" "$STEPS 0" "auto: every step ran"

# Negative control: a tampered recorded value after the loop is caught by the skipping replay.
q st "update logs set value='0.5' where run=1 and source=1 and name='test_acc'"
rc=0
"$FLOR" replay st --no-probes > "$WORK/div.out" 2>&1 || rc=$?
expect_eq $rc 3 "exit status of a diverging skipping replay"
contains "^fidelity: DIVERGED" < "$WORK/div.out" || fail "divergence not reported: $(cat "$WORK/div.out")"

# Negative control: without the loop-end checkpoint the loop is not skipped.
q st "delete from checkpoints where run=1 and epoch=399"
"$FLOR" replay st --no-probes --tolerate > "$WORK/noend.out" 2>&1 || fail "replay without the loop-end checkpoint"
r=$(summary_runs "$WORK/noend.out")
expect_eq "$(q st "select sum(iters)||' '||sum(skipped) from epochs where run=$r")" "$STEPS 0" "no loop-end checkpoint: every step ran"
echo "driver_step_loop_skip: ok"
