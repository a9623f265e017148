#!/usr/bin/env bash
# Hands-free flor on training written as a class: the model, the optimizer,
# the loaders and a global step counter are data members, fit() holds the
# epoch loop and uses the results of train_epoch() and evaluate(). flor-instrument registers the
# members the batch loop changes (flor::checkpoints in fit()) and keeps the
# results with the blocks' checkpoints; replays with and without the block
# probed give the printed values, the step counter included; a log added
# inside a method is found by the automatic probes.
source "$(dirname "$0")/lib.bash"
export SHAPE_CMAKE_ARGS=-DCMAKE_EXPORT_COMPILE_COMMANDS=ON  # flor replay's probe analysis reads it
setup_shape trainer 0
trainer_cc=$(shape_cc trainer trainer)
expect_in "$trainer_cc" 'flor::checkpoints(model_, optimizer_, global_step_);'
expect_in "$trainer_cc" 'auto [loss, train_accuracy] = flor::block("train_epoch", [&] { return train_epoch(); });'
expect_in "$trainer_cc" 'double accuracy = flor::block("evaluate", [&] { return evaluate(); });'
if grep -q 'flor::carried_state' "$trainer_cc"; then fail "trainer carries state: $(grep -n flor:: "$trainer_cc")"; fi
record_shape
add_line trainer/trainer.cc 'std::fflush(stdout);' \
  'flor::log("loss", loss); flor::log("train_accuracy", train_accuracy); flor::log("accuracy", accuracy); flor::log("steps", global_step_);'
rebuild_shape trainer/trainer.cc
replay_shape trainer -j 2
skipped 6 "trainer without probes"
check_values loss train_accuracy accuracy steps
replay_shape trainer -j 2 --probe train_epoch
skipped 3 "trainer probing train_epoch (the evaluations are skipped)"
two_workers trainer
check_values loss train_accuracy accuracy steps

# A log added inside train_epoch(), a method: the automatic probes find it, and the evaluations still skip.
add_line trainer/trainer.cc 'optimizer_.step();' 'flor::log("batch_loss", loss.item<double>());'
rebuild_shape trainer/trainer.cc
replay_shape trainer -j 2
grep -q '^flor: probing train_epoch: new log calls inside' "$WORK/last.out" ||
  fail "trainer: train_epoch not probed: $(cat "$WORK/last.out")"
skipped 3 "trainer, train_epoch probed automatically"
check_values loss train_accuracy accuracy steps
[ "$(run_logs trainer $(summary_runs "$WORK/last.out") | grep -c ' batch_loss ')" -eq 60 ] ||
  fail "trainer: not one batch_loss per batch: $(run_logs trainer $(summary_runs "$WORK/last.out") | grep -c ' batch_loss ')"
echo "trainer: ok"
