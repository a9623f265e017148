#!/usr/bin/env bash
# The Fashion-MNIST example records itself (--flor NAME EPS, no driver): a
# complete run, an epoch row, a checkpoint (eps 1) and a test_acc per epoch,
# its arguments; a plain run of the same program writes nothing.
source "$(dirname "$0")/lib.bash"
setup_fmnist_binaries
E=5

# Record with a budget that allows a checkpoint after every epoch.
"$TRAIN" --epochs $E "${ARGS[@]}" --flor fm 1 > "$WORK/record.out"
grep -q "flor: record" "$WORK/record.out" || fail "record mode not reported"
expect_eq "$(q fm "select status from runs where id=1")" complete "record run status"
expect_eq "$(q fm "select count(*) from epochs where run=1")" $E "recorded epochs"
expect_eq "$(q fm "select count(*) from checkpoints where run=1")" $E "checkpoints (eps 1)"
expect_eq "$(q fm "select count(distinct epoch) from logs where run=1 and name='test_acc'")" $E "recorded test_acc"
expect_eq "$(q fm "select value from args where run=1 and name='epochs'")" $E "recorded --epochs"

# A plain run of the same program writes nothing.
"$TRAIN" --epochs 1 "${ARGS[@]}" > /dev/null
expect_eq "$(q fm "select count(*) from runs")" 1 "plain run left no run row"
echo "runtime_record: ok"
