#!/usr/bin/env bash
# A block that runs a function instrumented in another file as if it held a
# main loop (flor::checkpoints of a local, a flor::loop over the batches, as
# flor-instrument edits a trainer's file without main): the runtime ignores
# that registration with one warning (the local would dangle once the
# function returns) and the inner loop only counts steps. Record and a
# 2-segment replay with a hindsight log reproduce every recorded value.
source "$(dirname "$0")/lib.bash"
setup_program callee_batches
cd "$REPO"

"$FLOR" run nested --eps 1 -- ./build/train --epochs 3 --nested > "$WORK/record.out" 2>&1 ||
  fail "record: $(cat "$WORK/record.out")"
warning='flor: warning: flor::checkpoints called while the main loop `epoch` runs'
expect_eq "$(grep -cF "$warning" "$WORK/record.out")" 1 "warnings in the record's output"
expect_eq "$("$FLOR" show nested --format csv | grep -c '^[0-2],[0-3],')" 12 "batch_loss values by step"
FLOR_TEST_HINDSIGHT=1 "$FLOR" replay nested -j 2 > "$WORK/replay.out" 2>&1 || fail "replay: $(cat "$WORK/replay.out")"
grep -qxF 'fidelity: ok (every recorded value reproduced)' "$WORK/replay.out" || fail "fidelity: $(cat "$WORK/replay.out")"
expect_eq "$("$FLOR" show nested --format csv | head -1)" "epoch,step,batch_loss,weight_sum,weight_norm" "the columns"
expect_eq "$("$FLOR" show nested --format csv | awk -F, '$2 == "" && $5 != ""' | wc -l)" 3 "weight_norm rows"
echo "replay_nested_checkpoints: ok"
