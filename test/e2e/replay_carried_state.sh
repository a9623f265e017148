#!/usr/bin/env bash
# State the epoch body carries outside the checkpoints (a StepLR stepped after
# the block, its rate logged), named with flor::carried_state:
# 1. The record keeps the name; `flor replay -j 2` says it uses strong init and
#    every recorded rate reproduces (the second worker runs the first epochs'
#    bodies again, its blocks skipped). Negative control: `--weak` diverges on
#    `lr`, as the scheduler starts anew in the second worker.
# 2. A record by a version of the program that did not name it (FLOR_TEST_UNNAMED=1):
#    replays use weak init, the worker says why it may diverge and how to fix
#    it, the rates diverge; `--strong` reproduces them.
source "$(dirname "$0")/lib.bash"
setup_program callee_batches
cd "$REPO"

"$FLOR" run named --eps 1 -- ./build/train --epochs 4 --schedule > "$WORK/record.out" 2>&1 ||
  fail "record: $(cat "$WORK/record.out")"
expect_eq "$("$FLOR" dump named --json | jq -c .run.info.carried_state)" '["scheduler"]' "the record's carried_state"
"$FLOR" replay named -j 2 --no-probes > "$WORK/strong.out" 2>&1 || fail "replay: $(cat "$WORK/strong.out")"
grep -qxF "flor: strong init: the epoch body changes scheduler outside the checkpoints, so each segment runs the earlier epochs' bodies again to rebuild them (--weak: start from a checkpoint without them)" \
  "$WORK/strong.out" || fail "no strong-init line: $(cat "$WORK/strong.out")"
grep -q '^fidelity: ok' "$WORK/strong.out" || fail "strong init: $(cat "$WORK/strong.out")"
expect_eq "$("$FLOR" dump named:3 --json | jq -r .run.info.init)" strong "the second worker's init"
rc=0
"$FLOR" replay named -j 2 --no-probes --weak > "$WORK/weak.out" 2>&1 || rc=$?
[ $rc -eq 3 ] || fail "weak init: exit $rc: $(cat "$WORK/weak.out")"
grep -q "^fidelity: DIVERGED: .*'lr'" "$WORK/weak.out" || fail "weak init: $(cat "$WORK/weak.out")"
grep -q "^hint: only workers that started from a checkpoint diverged: .*replay with --strong" "$WORK/weak.out" ||
  fail "no hint: $(cat "$WORK/weak.out")"
! grep -q 'strong init' "$WORK/weak.out" || fail "--weak said strong: $(cat "$WORK/weak.out")"
rc=0
"$FLOR" replay named --strong --weak > "$WORK/both.out" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q 'give --strong or --weak, not both' "$WORK/both.out" || fail "--strong --weak: $rc $(cat "$WORK/both.out")"

FLOR_TEST_UNNAMED=1 "$FLOR" run older --eps 1 -- ./build/train --epochs 4 --schedule > "$WORK/record2.out" 2>&1 ||
  fail "record: $(cat "$WORK/record2.out")"
expect_eq "$("$FLOR" dump older --json | jq -c .run.info.carried_state)" null "an unnamed record's carried_state"
rc=0
"$FLOR" replay older -j 2 --no-probes > "$WORK/older.out" 2>&1 || rc=$?
[ $rc -eq 3 ] || fail "replay of the older record: exit $rc: $(cat "$WORK/older.out")"
grep -q "flor: warning: the epoch body changes scheduler outside the checkpoints, but the record (run [0-9]*) was made by a version of the program that did not say so: .*replay with --strong to rebuild them" \
  "$FLOR_HOME"/older/logs/* "$WORK/older.out" || fail "no warning: $(cat "$WORK/older.out")"
"$FLOR" replay older -j 2 --no-probes --strong > "$WORK/older_strong.out" 2>&1 ||
  fail "--strong replay of the older record: $(cat "$WORK/older_strong.out")"
grep -q '^fidelity: ok' "$WORK/older_strong.out" || fail "--strong: $(cat "$WORK/older_strong.out")"
! grep -q 'did not say so' "$WORK/older_strong.out" || fail "--strong still warned"
! grep -q '^hint:' "$WORK/older_strong.out" || fail "a hint without a divergence: $(cat "$WORK/older_strong.out")"
echo "replay_carried_state: ok"
