#!/usr/bin/env bash
# Hands-free flor on a classifier (.to(device), chained std::cout progress,
# per-epoch accumulators whose names the test section declares again,
# torch::save every few batches): the batch loop is the skip block with the
# accumulators as its locals; replays with and without it probed give the printed values.
source "$(dirname "$0")/lib.bash"
setup_shape classifier 0
classifier_cc=$(shape_cc classifier classifier)
expect_in "$classifier_cc" 'for (auto& batch : flor::loop("batch", *loader, flor::locals(running_loss, num_correct))) {'
expect_in "$classifier_cc" 'flor::checkpoints(model, optimizer);'
record_shape
add_line classifier/classifier.cc 'double accuracy = ' 'flor::log("loss", loss); flor::log("accuracy", accuracy);'
rebuild_shape classifier/classifier.cc
check_shape batch 2 loss accuracy
