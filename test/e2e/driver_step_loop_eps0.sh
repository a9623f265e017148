#!/usr/bin/env bash
# The step loop example (see driver_step_loop.sh) recorded without period
# checkpoints (eps 0): only the loop-end checkpoint, so `flor replay -j 2`
# offers one segment.
source "$(dirname "$0")/lib.bash"
setup_steps_project

"$FLOR" run st --eps 0 -- ./build/train_steps "${ARGS[@]}" > /dev/null 2>&1 || fail "record eps 0"
R=$(q st "select max(id) from runs where kind='record'")
expect_eq "$(q st "select group_concat(epoch) from checkpoints where run=$R")" 399 "eps 0: the loop-end checkpoint only"
"$FLOR" replay st -j 2 > "$WORK/eps0.out" 2> "$WORK/eps0.err" || fail "replay eps 0: $(cat "$WORK/eps0.err")"
contains 'offers 1 place(s) to start a segment' < "$WORK/eps0.err" || fail "eps 0 split: $(cat "$WORK/eps0.err")"
echo "driver_step_loop_eps0: ok"
