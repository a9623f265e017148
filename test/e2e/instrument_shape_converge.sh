#!/usr/bin/env bash
# Hands-free flor on a while loop with a break on convergence: the loop becomes
# flor::loop("epoch") with the condition as a break, the call in it a skip
# block; replays with and without the block probed give the printed values.
source "$(dirname "$0")/lib.bash"
setup_shape converge 0
converge_cc=$(shape_cc converge converge)
expect_in "$converge_cc" 'flor::loop("epoch")) { if (!(previous - loss > 1e-6)) break;'
expect_in "$converge_cc" 'flor::block("train_round", [&] { train_round(net, optimizer, *loader, loss); });'
expect_in "$converge_cc" 'flor::checkpoints(net, optimizer, loss);'
record_shape
add_line converge/converge.cc 'double w_norm = ' 'flor::log("loss", loss); flor::log("w_norm", w_norm);'
rebuild_shape converge/converge.cc
check_shape train_round 2 loss w_norm
