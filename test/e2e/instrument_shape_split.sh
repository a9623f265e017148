#!/usr/bin/env bash
# Hands-free flor on a trainer split over files: trainer.h declares the class,
# trainer.cc defines its methods (no main), main.cc only calls fit(). The tool
# takes fit()'s epoch loop as the main loop (the one function in trainer.cc
# that nothing there calls), registers the members the blocks change and
# names best_accuracy_ as carried state (changed in the epoch body, after the
# blocks); main.cc is left as it is. A log added in fit() replays in 2
# segments, blocks skipped, with the values the record printed.
source "$(dirname "$0")/lib.bash"
setup_shape split 0
trainer_cc=$(shape_cc trainer split)
expect_in "$trainer_cc" 'flor::checkpoints(model_, optimizer_, global_step_);'
expect_in "$trainer_cc" 'flor::carried_state({"best_accuracy_"});'
expect_in "$trainer_cc" 'auto [loss, train_accuracy] = flor::block("train_epoch", [&] { return train_epoch(); });'
expect_in "$trainer_cc" 'double accuracy = flor::block("evaluate", [&] { return evaluate(); });'
main_cc=$(shape_cc main split)
[ -z "$main_cc" ] || fail "main.cc was instrumented: $(grep -n 'flor::' "$main_cc")"
record_shape
grep -q '^best accuracy ' "$WORK/split.record" || fail "record: no final line: $(cat "$WORK/split.record")"
add_line split/trainer.cc 'std::fflush(stdout);' \
  'flor::log("loss", loss); flor::log("accuracy", accuracy); flor::log("best_accuracy", best_accuracy_); flor::log("steps", global_step_);'
rebuild_shape split/trainer.cc
replay_shape split -j 2
grep -q '^flor: strong init: ' "$WORK/last.out" || fail "split: no strong init: $(cat "$WORK/last.out")"
skipped 6 "split without probes"
two_workers split
check_values loss accuracy best_accuracy steps
echo "split: ok"
