#!/usr/bin/env bash
# Fidelity: one recorded value of the example is tampered with; its replay
# reports the difference (where, recorded and replayed values), stores it,
# fails with exit 3, and passes when told to tolerate it.
source "$(dirname "$0")/lib.bash"
setup_fmnist_binaries
E=5
"$TRAIN" --epochs $E "${ARGS[@]}" --flor fm 1 > "$WORK/record.out"

q fm "update logs set value='0.5' where run=1 and source=1 and name='test_acc' and epoch=3"
set +e
"$TRAIN_HS" --replay_flor > /dev/null 2> "$WORK/div.err"
rc=$?
set -e
expect_eq $rc 3 "exit status of a diverging replay"
grep -q "1 logged value(s) differ; first at epoch 3, step -1, 'test_acc'" "$WORK/div.err" || fail "divergence report: $(cat "$WORK/div.err")"
grep -q "recorded 0.5, replayed" "$WORK/div.err" || fail "divergence values not shown"
R=$(q fm "select max(id) from runs")
expect_eq "$(q fm "select status from runs where id=$R")" failed "diverging replay status"
expect_eq "$(q fm "select name||' '||epoch||' '||recorded from divergences where run=$R")" "test_acc 3 0.5" "stored divergence"
# ... unless told to tolerate it.
FLOR_TOLERATE=1 FLOR_MODE=replay FLOR_NAME=fm "$TRAIN_HS" --epochs $E "${ARGS[@]}" > /dev/null 2>&1 || fail "tolerated divergence failed"
echo "runtime_replay_divergence: ok"
