#!/usr/bin/env bash
# Hands-free flor on an epoch body that carries state outside the batch loop:
# a StepLR scheduler stepped after it, the best accuracy so far and an
# early-stopping counter. flor-instrument names them (flor::carried_state),
# the record keeps the names, and replays start their segments with strong
# init: the second worker runs the earlier epochs' bodies (blocks skipped)
# and so steps the scheduler as the record did. Negative control: with
# --weak the second worker starts from a checkpoint with a new scheduler, and
# its learning rates differ from what the record printed. (Its losses do not:
# the evaluation's checkpoint, taken after scheduler.step(), holds the
# optimizer with the learning rate its one epoch trains with.)
source "$(dirname "$0")/lib.bash"
setup_shape schedule 0
schedule_cc=$(shape_cc schedule schedule)
# The evaluation (a loader loop in a lambda) is a block too, its result kept with its checkpoint.
expect_in "$schedule_cc" 'double accuracy = flor::block("evaluate", [&] { return evaluate(); });'
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
skipped 6 "schedule without probes"
check_values loss lr accuracy best
replay_shape schedule -j 2 --probe batch
skipped 3 "schedule probing batch (the evaluations are skipped)"
check_values loss lr accuracy best

# Negative control: weak init loses the scheduler's steps in the second worker.
replay_shape schedule -j 2 --weak
if grep -q '^flor: strong init' "$WORK/last.out"; then fail "--weak still strong: $(cat "$WORK/last.out")"; fi
if (check_values lr) 2> "$WORK/weak.err"; then fail "weak init reproduced the learning rates: the test cannot fail"; fi
grep -q 'schedule: epoch [12] lr' "$WORK/weak.err" || fail "weak init: $(cat "$WORK/weak.err")"
echo "schedule: ok"
