#!/usr/bin/env bash
# Hands-free flor on a batch loop in a macro: diagnosed ([flor-macro]), not
# edited, not checkpointed. It is no skip block: nothing to restore a segment
# from, so on replay one worker runs every epoch (and the loop) again, and the
# values still equal the record's.
source "$(dirname "$0")/lib.bash"
setup_shape macro 1
macro_cc=$(shape_cc macro macro)
expect_in "$macro_cc" 'flor::loop("epoch", 0, 3)'
expect_in "$macro_cc" 'FOR_EACH_BATCH(batch, loader) {'
grep -q 'flor::loop("batch"\|flor::block\|flor::checkpoints' "$macro_cc" && fail "the macro's loop was edited"
grep -q "^$REPO/macro/macro.cc:20:5: warning: block 'batch' is inside macro 'FOR_EACH_BATCH': not edited; it always runs \[flor-macro\]" \
  "$WORK/build1.log" || fail "no [flor-macro] diagnostic: $(grep -n warning "$WORK/build1.log")"
record_shape
"$FLOR" dump macro:1 | contains '^checkpoints: 0$' || fail "the macro's loop was checkpointed"
add_line macro/macro.cc 'std::fflush(stdout);' 'flor::log("loss", loss_sum / 20); flor::log("w_norm", model->weight.norm().item<double>());'
rebuild_shape macro/macro.cc
replay_shape macro -j 2
grep -q '^blocks: 0 skipped (restored), 0 re-executed' "$WORK/last.out" || fail "macro: $(cat "$WORK/last.out")"
check_values loss w_norm
echo "macro: ok"
