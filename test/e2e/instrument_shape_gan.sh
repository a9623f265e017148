#!/usr/bin/env bash
# Hands-free flor on a GAN (two models, two optimizers, a periodic torch::save):
# flor-instrument makes one skip block of the step loop with all four in its
# checkpoints; with logs added in hindsight, replays with and without the
# block probed give the values the record printed (setup_shape, check_shape).
source "$(dirname "$0")/lib.bash"
setup_shape gan 0
gan_cc=$(shape_cc gan gan)
expect_in "$gan_cc" 'flor::loop("epoch", 0, kEpochs)'
expect_in "$gan_cc" 'flor::block("loop", [&] { for (int64_t step = 0; step < kSteps; ++step) {'
expect_in "$gan_cc" 'flor::checkpoints(generator, discriminator, g_opt, d_opt, saves);'
expect_in "$gan_cc" '}, flor::locals(d_sum, g_sum));'
record_shape
add_line gan/gan.cc 'double d_norm = ' 'flor::log("d_loss", d_sum / kSteps); flor::log("g_loss", g_sum / kSteps);'
add_line gan/gan.cc 'double d_norm = ' 'flor::log("g_norm", g_norm); flor::log("d_norm", d_norm);'
rebuild_shape gan/gan.cc
check_shape loop 2 d_loss g_loss g_norm d_norm
