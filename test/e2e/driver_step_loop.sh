#!/usr/bin/env bash
# A step loop (examples/fashion_mnist/train_steps.cc: no nested loop, a
# sampled batch and dropout every step, a log per step) recorded with
# `flor run`: one epoch row per period, checkpoints at period ends and at the
# loop's end, at most 1 KB of store per step. Then, as its author would, a log
# added inside the loop: `flor replay -j 2` runs the loop in two segments, the
# new values bit-identical to a plain run, fidelity ok; --epochs selects steps.
source "$(dirname "$0")/lib.bash"
setup_steps_project

# A plain run of the edited program: the values a replay must reproduce.
"$build/train_steps_in" "${ARGS[@]}" > "$WORK/plain_in.out"
# (The program's own output: a plain run has no store to read.)
sed -n 's/^step \([0-9]*\)\/.* grad_norm \(.*\)$/\1 \2/p' "$WORK/plain_in.out" |
  awk '{print $1 - 1, $2}' > "$WORK/plain_grad_norm"
[ "$(wc -l < "$WORK/plain_grad_norm")" -eq $((STEPS / 25)) ] || fail "plain run printed: $(cat "$WORK/plain_in.out")"

# --- record --------------------------------------------------------------------
"$FLOR" run st --eps 1 -- ./build/train_steps "${ARGS[@]}" > "$WORK/record.out" 2>&1 ||
  fail "record: $(cat "$WORK/record.out")"
expect_eq "$(q st "select status from runs where id=1")" complete "record status"
expect_eq "$(q st "select json_extract(info, '$.step_loop') from runs where id=1")" step "step loop named in the run"
# 400 steps: periods 1, 2, 4, ..., 128 (255 steps), then 145 of 256: 9 rows for 400 epochs.
expect_eq "$(q st "select count(*)||' '||sum(iters)||' '||min(epoch)||' '||max(epoch+iters-1) from epochs where run=1")" \
  "9 400 0 399" "epoch rows (periods)"
expect_eq "$(q st "select count(distinct epoch) from logs where run=1 and name='loss'")" $STEPS "a loss per step"
# eps 1: a checkpoint at every period end; the last one is the loop's end.
expect_eq "$(q st "select group_concat(epoch) from (select epoch from checkpoints where run=1 and seq=-1 order by epoch)")" \
  "0,2,6,14,30,62,126,254,399" "end-of-iteration checkpoints"
bytes=$(cat "$FLOR_HOME"/st/flor.db* | wc -c)
echo "store: $bytes bytes for $STEPS steps ($((bytes / STEPS)) B/step)"
[ $((bytes / STEPS)) -le 1024 ] || fail "store bytes per step: $((bytes / STEPS)) > 1024"

# --- a log inside the loop: it runs, in 2 segments ----------------------------------
log_inside_loop() {
  sed -i '1i #define STEPS_HINDSIGHT_IN' train_steps.cc
  cp "$build/train_steps_in" build/train_steps
}
# grad_norm once per step, its values those of the plain run.
record_replay_compare --edit log_inside_loop st grad_norm 0-$((STEPS - 1)) "$WORK/plain_grad_norm" -j 2
[ "${#REPLAY_RUNS[@]}" -eq 2 ] || fail "-j 2 used ${#REPLAY_RUNS[@]} worker(s)"
contains "^epochs replayed: $STEPS of $STEPS" < "$WORK/replay.out" || fail "epochs replayed"
contains '^fidelity: ok (every recorded value reproduced)' < "$WORK/replay.out" || fail "fidelity"
contains '^new logs: grad_norm' < "$WORK/replay.out" || fail "new logs"
runs=$(IFS=,; echo "${REPLAY_RUNS[*]}")
w2=${REPLAY_RUNS[1]}
first2=$(q st "select min(epoch) from epochs where run=$w2")
[ "$first2" -gt 0 ] || fail "segment 2 starts at epoch $first2"
q st "select count(*) from checkpoints where run=1 and seq=-1 and epoch=$((first2 - 1))" | contains '^1$' ||
  fail "segment 2 does not start after a checkpoint ($first2)"
expect_eq "$(q st "select count(*)||' '||count(distinct epoch) from logs where source in ($runs) and name='grad_norm'")" \
  "$STEPS $STEPS" "grad_norm once per step"
# Replay keeps the books per period too: a row per recorded period, not per step.
[ "$(q st "select count(*) from epochs where run in ($runs)")" -le 11 ] || fail "replay rows: $(q st "select count(*) from epochs where run in ($runs)")"

# --epochs selects steps; the segment starts from the checkpoint before them.
"$FLOR" replay st --epochs 100-199 > "$WORK/range.out" 2>&1 || fail "--epochs: $(cat "$WORK/range.out")"
contains '^epochs replayed: 100 of 100' < "$WORK/range.out" || fail "--epochs 100-199: $(cat "$WORK/range.out")"
contains '^fidelity: ok' < "$WORK/range.out" || fail "--epochs fidelity"
r=$(summary_runs "$WORK/range.out")
expect_eq "$(q st "select count(*)||' '||min(epoch)||' '||max(epoch) from logs where source=$r and name='grad_norm'")" \
  "100 100 199" "grad_norm of steps 100-199"
echo "driver_step_loop: ok"
