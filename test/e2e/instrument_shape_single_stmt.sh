#!/usr/bin/env bash
# Hands-free flor on loop bodies without braces: the body becomes a skip
# block; the user's new log line makes the body a braced block; replays with
# and without the block probed give the printed values.
source "$(dirname "$0")/lib.bash"
setup_shape single_stmt 0
single_cc=$(shape_cc single_stmt single_stmt)
expect_in "$single_cc" 'for (int64_t epoch : flor::loop("epoch", 0, 3)) flor::block("train_epoch", [&] { train_epoch(model, optimizer, *loader, epoch); });'
expect_in "$single_cc" 'flor::checkpoints(model, optimizer);'
record_shape
# A single-statement body gains braces to hold the new line.
sed -i 's|^\(\s*for (int64_t epoch = 0; epoch != 3; epoch += 1)\) \(train_epoch(.*);\)$|\1 {\n    \2\n    flor::log("w_norm", model->weight.norm().item<double>());\n  }|' \
  "$REPO/single_stmt/single_stmt.cc"
grep -q 'flor::log("w_norm"' "$REPO/single_stmt/single_stmt.cc" || fail "could not add the log line to single_stmt.cc"
rebuild_shape single_stmt/single_stmt.cc
check_shape train_epoch 2 w_norm
