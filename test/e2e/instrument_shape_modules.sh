#!/usr/bin/env bash
# Hands-free flor on a TORCH_MODULE holder and a plain struct Net: both are in
# the checkpoints; replays with and without the block probed give the printed values.
source "$(dirname "$0")/lib.bash"
setup_shape modules 0
modules_cc=$(shape_cc modules modules)
expect_in "$modules_cc" 'flor::block("train", [&] { train(encoder, head, *loader, optimizer, loss_sum); }, flor::locals(loss_sum));'
expect_in "$modules_cc" 'flor::checkpoints(encoder, head, optimizer);'
record_shape
add_line modules/modules.cc 'double accuracy = ' 'flor::log("loss", loss_sum / 24); flor::log("accuracy", accuracy);'
rebuild_shape modules/modules.cc
check_shape train 1 loss accuracy
