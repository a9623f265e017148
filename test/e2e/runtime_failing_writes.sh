#!/usr/bin/env bash
# Failing checkpoint writes: packs/ is a file, so no checkpoint can be written
# (root ignores permissions; this fails as ENOSPC would). The record warns
# once, trains to the end, stores no checkpoint, and replay re-executes every epoch.
source "$(dirname "$0")/lib.bash"
setup_fmnist_binaries
E=4

mkdir -p "$FLOR_HOME/nowrite/ckpt"
touch "$FLOR_HOME/nowrite/ckpt/packs"
"$TRAIN" --epochs $E "${ARGS[@]}" --flor nowrite 1 > /dev/null 2> "$WORK/nowrite.err" || fail "record with failing writes"
expect_eq "$(grep -c "checkpoint write failed: .*Not a directory (training goes on" "$WORK/nowrite.err")" 1 "one warning"
expect_eq "$(q nowrite "select status||' '||(select count(*) from epochs)||' '||(select count(*) from checkpoints) from runs")" "complete $E 0" "record with failing writes"
"$TRAIN_HS" --replay_flor > /dev/null
expect_eq "$(q nowrite "select sum(executed)||'/'||sum(skipped) from epochs where run=2")" "$E/0" "replay without checkpoints"
expect_eq "$(q nowrite "select count(*) from divergences")" 0 "replay without checkpoints: divergences"
echo "runtime_failing_writes: ok"
