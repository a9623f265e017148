#!/usr/bin/env bash
# Hands-free flor on `while (++i)` with a break on convergence, one step over
# all the data per iteration: a step loop; probed, it runs in 2 segments;
# not probed, it is skipped and the value after it is the record's.
source "$(dirname "$0")/lib.bash"
setup_shape full_batch 0
full_batch_cc=$(shape_cc full_batch full_batch)
expect_in "$full_batch_cc" 'flor::checkpoints(model, optimizer, iteration, best);'
expect_in "$full_batch_cc" 'for ([[maybe_unused]] int64_t flor_step : flor::loop("step")) { if (!(++iteration)) break;'
record_shape
add_line full_batch/full_batch.cc 'double value = loss.item' 'flor::log("loss", value);'
add_line full_batch/full_batch.cc 'double w_error = ' 'flor::log("w_error", w_error);'
rebuild_shape full_batch/full_batch.cc
replay_shape full_batch -j 2 --probe step
two_workers full_batch
check_printed '^iteration (\d+) loss (\S+)$' loss -1
check_printed '^iterations \d+ w_error (\S+)$' w_error 0
replay_shape full_batch --no-probes
grep -q '^fidelity: ok (the step loop was skipped' "$WORK/last.out" || fail "full_batch: loop not skipped: $(cat "$WORK/last.out")"
check_printed '^iterations \d+ w_error (\S+)$' w_error 0
echo "full_batch: ok"
