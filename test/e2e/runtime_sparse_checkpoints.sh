#!/usr/bin/env bash
# Sparse checkpoints: with a tiny budget (eps) no checkpoint of the example
# fits; replay still fills every epoch by re-executing, and asking for more
# workers than places to start fails.
source "$(dirname "$0")/lib.bash"
setup_fmnist_binaries
E=4

"$TRAIN" --epochs $E "${ARGS[@]}" --flor sparse 0.00001 > /dev/null
expect_eq "$(q sparse "select count(*) from checkpoints")" 0 "checkpoints with a tiny eps"
q sparse "select note from epochs where run=1 and epoch=1" | grep -q "over budget" || fail "policy note missing"
"$TRAIN_HS" --replay_flor > /dev/null
expect_eq "$(q sparse "select count(distinct epoch) from logs where source=2 and name='weight_norm'")" $E "sparse replay epochs"
expect_eq "$(q sparse "select sum(executed)||'/'||sum(skipped) from epochs where run=2")" "$E/0" "sparse replay re-executed"
expect_eq "$(q sparse "select count(*) from divergences")" 0 "sparse replay divergences"
set +e
out=$("$TRAIN_HS" --replay_flor 1/2 2>&1)
set -e
echo "$out" | grep -q "use at most 1 worker$" || fail "sparse: too many workers: $out"
echo "runtime_sparse_checkpoints: ok"
