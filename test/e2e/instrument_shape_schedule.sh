#!/usr/bin/env bash
# Hands-free flor on an epoch body that carries state outside the batch loop:
# a StepLR scheduler stepped after it, the best accuracy so far and an
# early-stopping counter. flor-instrument names them (flor::carried_state),
# the record keeps the names, and replays start their segments with strong
# init: the second worker runs the earlier epochs' bodies (blocks skipped)
# and so steps the scheduler as the record did. Negative control: with
# --weak the second worker starts from a checkpoint with a new scheduler, and
# its learning rates (and, with the block probed, its losses) differ from
# what the record printed.
source "$(dirname "$0")/lib.bash"
setup_shape schedule 1
# The evaluation's loader loop is inside a lambda whose result is used: it runs (and carries nothing: the model is registered).
grep -q "schedule.cc:[0-9]*:[0-9]*: warning: block 'operator()' is not skipped: the call is part of a larger statement" \
  "$WORK/build1.log" || fail "no [flor-skip-block] warning for the evaluation: $(grep -n warning "$WORK/build1.log")"
schedule_cc=$(shape_cc schedule schedule)
expect_in "$schedule_cc" 'flor::checkpoints(model, optimizer);'
expect_in "$schedule_cc" 'flor::carried_state({"scheduler", "best_accuracy", "epochs_since_best"});'
expect_in "$schedule_cc" 'for (auto& batch : flor::loop("batch", *loader, flor::locals(loss_sum))) {'
record_shape
expect_eq "$("$FLOR" dump schedule --json | jq -c .run.info.carried_state)" \
  '["scheduler","best_accuracy","epochs_since_best"]' "the record's carried_state"
add_line schedule/schedule.cc 'std::fflush(stdout);' \
  'flor::log("loss", loss_sum / 20); flor::log("lr", lr); flor::log("accuracy", accuracy); flor::log("best", best_accuracy);'
rebuild_shape schedule/schedule.cc

replay_shape schedule -j 2
grep -q '^flor: strong init: the epoch body changes scheduler, best_accuracy, epochs_since_best outside the checkpoints' \
  "$WORK/last.out" || fail "no strong-init line: $(cat "$WORK/last.out")"
two_workers schedule
skipped 3 "schedule without probes"
check_values loss lr accuracy best
replay_shape schedule -j 2 --probe batch
skipped 0 "schedule probing batch"
check_values loss lr accuracy best

# Negative control: weak init loses the scheduler's steps in the second worker.
replay_shape schedule -j 2 --weak
if grep -q '^flor: strong init' "$WORK/last.out"; then fail "--weak still strong: $(cat "$WORK/last.out")"; fi
if (check_values lr) 2> "$WORK/weak.err"; then fail "weak init reproduced the learning rates: the test cannot fail"; fi
grep -q 'schedule: epoch [12] lr' "$WORK/weak.err" || fail "weak init: $(cat "$WORK/weak.err")"
replay_shape schedule -j 2 --weak --probe batch
if (check_values loss) 2> "$WORK/weak.err"; then fail "weak init trained with the recorded learning rates"; fi
grep -q 'schedule: epoch [12] loss' "$WORK/weak.err" || fail "weak init, batch loop probed: $(cat "$WORK/weak.err")"
echo "schedule: ok"
