#!/usr/bin/env bash
# A full disk under the store during `flor run`, and space comes back at
# epoch 8: one warning, the held logs land once, in order, and the run is
# complete (exit 0). store_full_setup (lib.bash) says how the disk fills.
source "$(dirname "$0")/lib.bash"
store_full_setup
store_full_record back 12 8
expect_eq "$rc" 0 "exit status when every held log was stored"
expect_eq "$(grep -c 'cannot store logs' "$WORK/back.err")" 1 "warnings about the full store"
grep -q 'keeping them in memory' "$WORK/back.err" || fail "the warning does not say the logs are kept"
grep -q 'stored the .* held' "$WORK/back.err" || fail "no line saying the held logs were stored"
expect_eq "$(q back "select count(*)||' '||count(distinct epoch) from logs where run=1")" "12000 12" "logs stored"
expect_eq "$(q back "select count(*) from epochs where run=1")" 12 "epoch rows stored"
expect_eq "$(out_of_order back)" 0 "logs stored out of epoch order"
expect_eq "$(q back "select status||' '||exit_code from runs where id=1")" "complete 0" "run status"
echo "driver_store_full_back: ok"
