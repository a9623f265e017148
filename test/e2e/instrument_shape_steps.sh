#!/usr/bin/env bash
# Hands-free flor on a step loop (no nested loop, a sampled batch per step):
# checkpointed every period; probed, it runs in 2 segments that start at
# period-end checkpoints; not probed (the new log is after the loop,
# --no-probes) it is skipped from its loop-end checkpoint, and the value after
# it is the record's.
source "$(dirname "$0")/lib.bash"
setup_shape steps 0
steps_cc=$(shape_cc steps steps)
expect_in "$steps_cc" 'flor::checkpoints(model, optimizer, running);'
expect_in "$steps_cc" 'for (int64_t step : flor::loop("step", 0, kSteps)) {'
record_shape
"$FLOR" dump steps:1 | contains '^checkpoints: [1-9]' || fail "the step loop was not checkpointed"
add_line steps/steps.cc 'std::printf("step %lld loss' 'flor::log("mean_loss", running / kPrintEvery);'
add_line steps/steps.cc 'double test_acc = ' 'flor::log("test_acc", test_acc);'
rebuild_shape steps/steps.cc
replay_shape steps -j 2 --probe step
two_workers steps
check_printed '^step (\d+) loss (\S+)$' mean_loss 0
check_printed '^test_acc (\S+)$' test_acc 0
replay_shape steps --no-probes
grep -q '^fidelity: ok (the step loop was skipped' "$WORK/last.out" || fail "steps: loop not skipped: $(cat "$WORK/last.out")"
check_printed '^test_acc (\S+)$' test_acc 0
echo "steps: ok"
