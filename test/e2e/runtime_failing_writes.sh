#!/usr/bin/env bash
# Every checkpoint write fails (its pack's data: the disk is full, injected
# through the Env seam with FLOR_TEST_FAULT, runtime/src/test_fault.h). The
# record warns once, trains to the end, stores no checkpoint, and replay
# re-executes every epoch.
source "$(dirname "$0")/lib.bash"
setup_fmnist_binaries
E=4

FLOR_TEST_FAULT=all:write:1:ENOSPC "$TRAIN" --epochs $E "${ARGS[@]}" --flor nowrite 1 > /dev/null 2> "$WORK/nowrite.err" ||
  fail "record with failing writes: $(cat "$WORK/nowrite.err")"
expect_eq "$(grep -c '^flor: test fault fired: ' "$WORK/nowrite.err")" $E "failed writes (the negative control)"
expect_eq "$(grep -c '^flor: warning' "$WORK/nowrite.err")" 1 "warnings"
grep -q "checkpoint write failed: .*No space left on device (training goes on" "$WORK/nowrite.err" || fail "the warning: $(cat "$WORK/nowrite.err")"
expect_eq "$(q nowrite "select status||' '||(select count(*) from epochs)||' '||(select count(*) from checkpoints) from runs")" "complete $E 0" "record with failing writes"
"$TRAIN_HS" --replay_flor > /dev/null
expect_eq "$(q nowrite "select sum(executed)||'/'||sum(skipped) from epochs where run=2")" "$E/0" "replay without checkpoints"
expect_eq "$(q nowrite "select count(*) from divergences")" 0 "replay without checkpoints: divergences"
echo "runtime_failing_writes: ok"
