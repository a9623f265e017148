#!/usr/bin/env bash
# A probed batch loop (FLOR_PROBE=batch): segment 2 of 3 of the recorded
# example re-executes its epoch's batches, logs the per-step gradient norm,
# and matches the recorded per-epoch loss bit for bit. A strong init of the
# last segment runs the earlier epochs' outer body, their blocks restored.
source "$(dirname "$0")/lib.bash"
setup_fmnist_binaries
E=5
"$TRAIN" --epochs $E "${ARGS[@]}" --flor fm 1 > "$WORK/record.out"

FLOR_PROBE=batch "$TRAIN_HS" --replay_flor 2/3 > "$WORK/probe.out"
R=$(q fm "select max(id) from runs")
# 5 epochs in 3 balanced segments: 0-1, 2, 3-4.
expect_eq "$(q fm "select group_concat(epoch) from epochs where run=$R")" "2" "probed segment epochs"
expect_eq "$(q fm "select sum(executed)||'/'||sum(skipped) from epochs where run=$R")" "1/0" "probed blocks ran"
expect_eq "$(q fm "select count(*)||' '||min(step)||' '||max(step) from logs where source=$R and name='grad_norm' and epoch=2")" \
  "16 0 15" "grad_norm per step of epoch 2"
expect_eq "$(q fm "select count(*) from logs where source=$R and name='grad_norm' and epoch<>2")" 0 "grad_norm outside the segment"
expect_eq "$(q fm "select count(*) from divergences where run=$R")" 0 "probed replay diverged"

# Strong init of the last segment: earlier epochs run their outer body, blocks restored.
"$TRAIN_HS" --replay_flor strong 3/3 > "$WORK/strong.out"
R=$(q fm "select max(id) from runs")
expect_eq "$(q fm "select status from runs where id=$R")" complete "strong replay"
expect_eq "$(q fm "select group_concat(epoch) from epochs where run=$R")" "3,4" "strong segment epochs"
echo "runtime_replay_probe: ok"
