#!/usr/bin/env bash
# Hands-free flor on a batch loop whose last batch's images and a vector of
# losses are read after it, and an evaluation loop writing a CSV file. The
# batch loop is skipped and its locals restored: the values read after it, and
# the sample grids written from the last batch, equal the record's. The
# evaluation loop writes a CSV file the program opened, so it is no skip block
# ([flor-side-effects]) and always runs (negative control): the file is
# written again, the same.
source "$(dirname "$0")/lib.bash"
setup_shape live_out 1
live_out_cc=$(shape_cc live_out live_out)
expect_in "$live_out_cc" 'for (auto& batch : flor::loop("batch", *loader, flor::locals(last_images, batch_losses))) {'
expect_in "$live_out_cc" 'flor::checkpoints(model, optimizer);'
expect_in "$live_out_cc" 'for (auto& batch : *test_loader) {'
grep -q "^$REPO/live_out/live_out.cc:54:5: warning: block 'batch_2' is not skipped: it mutates 'csv' .*\[flor-side-effects\]" \
  "$WORK/build1.log" || fail "no [flor-side-effects] warning for live_out's CSV loop: $(grep -n warning "$WORK/build1.log")"
record_shape
# What live_out wrote after its batch loop (from the last batch's images) and in its evaluation loop.
md5sum live_out_epoch*.pgm live_out_eval.csv > "$WORK/live_out.md5"
[ "$(wc -l < live_out_eval.csv)" -eq 6 ] || fail "live_out_eval.csv: $(cat live_out_eval.csv)"
add_line live_out/live_out.cc 'double pixel_mean = ' 'flor::log("loss", loss); flor::log("spread", spread); flor::log("pixel_mean", pixel_mean);'
rebuild_shape live_out/live_out.cc
replay_shape live_out -j 1
grep -q '^blocks: 3 skipped (restored), 0 re-executed' "$WORK/last.out" || fail "live_out: $(cat "$WORK/last.out")"
check_values loss spread pixel_mean
md5sum -c --quiet "$WORK/live_out.md5" || fail "live_out's grids or CSV differ from the record's"
replay_shape live_out -j 2 --probe batch
skipped 0 "live_out probing batch"
two_workers live_out
check_values loss spread pixel_mean
echo "live_out: ok"
