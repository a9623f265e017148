#!/usr/bin/env bash
# Hands-free flor on a program in several files (the model in a header, the
# batch loop in another .cc): only the TU with main is instrumented; replays
# with and without the block probed give the printed values.
source "$(dirname "$0")/lib.bash"
setup_shape multifile 0
multifile_cc=$(shape_cc main multifile)
expect_in "$multifile_cc" 'flor::block("train_epoch", [&] { train_epoch(model, *loader, optimizer, loss_sum); }, flor::locals(loss_sum));'
expect_in "$multifile_cc" 'flor::checkpoints(model, optimizer);'
[ -z "$(shape_cc train multifile)" ] || fail "multifile/train.cc (no main) was instrumented"
record_shape
add_line multifile/main.cc 'double accuracy = ' 'flor::log("loss", loss_sum / 30); flor::log("accuracy", accuracy);'
rebuild_shape multifile/main.cc
check_shape train_epoch 2 loss accuracy
