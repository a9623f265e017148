#!/usr/bin/env bash
# Hands-free flor on `while (++i)` with a break on convergence, one step over
# all the data per iteration: a step loop. With automatic probes: a log added
# after the loop only skips the loop, and the value after it is the record's;
# a log added inside it probes it, and it runs in 2 segments; the code of the
# loop changed (no log in it) runs it too.
source "$(dirname "$0")/lib.bash"
export SHAPE_CMAKE_ARGS=-DCMAKE_EXPORT_COMPILE_COMMANDS=ON  # flor replay's probe analysis reads it
setup_shape full_batch 0
full_batch_cc=$(shape_cc full_batch full_batch)
expect_in "$full_batch_cc" 'flor::checkpoints(model, optimizer, iteration, best);'
expect_in "$full_batch_cc" 'for ([[maybe_unused]] int64_t flor_step : flor::loop("step")) { if (!(++iteration)) break;'
record_shape
add_line full_batch/full_batch.cc 'double w_error = ' 'flor::log("w_error", w_error);'
rebuild_shape full_batch/full_batch.cc
replay_shape full_batch
grep -q '^fidelity: ok (the step loop was skipped' "$WORK/last.out" || fail "full_batch: loop not skipped: $(cat "$WORK/last.out")"
check_printed '^iterations \d+ w_error (\S+)$' w_error 0

# Negative control: the loop's code changed (the same value, spelled otherwise), no log in it: it runs.
sed -i 's/iteration == 400) break;/iteration == 4e2) break;/' full_batch/full_batch.cc
rebuild_shape full_batch/full_batch.cc
replay_shape full_batch
grep -q "the step loop 'step' runs: full_batch/full_batch.cc: the step loop's code changed" "$WORK/last.out" ||
  fail "full_batch: no note on the changed loop: $(cat "$WORK/last.out")"
grep -q '^fidelity: ok (every recorded value reproduced)' "$WORK/last.out" || fail "full_batch: loop skipped: $(cat "$WORK/last.out")"
check_printed '^iterations \d+ w_error (\S+)$' w_error 0

add_line full_batch/full_batch.cc 'double value = loss.item' 'flor::log("loss", value);'
rebuild_shape full_batch/full_batch.cc
replay_shape full_batch -j 2
grep -q '^flor: probing step: new log calls inside' "$WORK/last.out" || fail "full_batch: step not probed: $(cat "$WORK/last.out")"
two_workers full_batch
check_printed '^iteration (\d+) loss (\S+)$' loss -1
check_printed '^iterations \d+ w_error (\S+)$' w_error 0
replay_shape full_batch --no-probes
grep -q '^fidelity: ok (the step loop was skipped' "$WORK/last.out" || fail "full_batch: loop not skipped: $(cat "$WORK/last.out")"
check_printed '^iterations \d+ w_error (\S+)$' w_error 0
echo "full_batch: ok"
