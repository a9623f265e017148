#!/usr/bin/env bash
# flor sweep on the Fashion-MNIST example with a failing permutation and
# on_failure halt: nothing else starts; the same command resumes the halted
# sweep without the failure; --retry-failed runs only the failure.
source "$(dirname "$0")/lib.bash"
setup_sweep_example

PAR=1 sweep_config "$WORK/halt.json" '"oops", 0.1, 0.01' "32" ', "on_failure": "halt"'
rc=0; "$FLOR" sweep "$WORK/halt.json" --id halt -- ./build/train > /dev/null 2> "$WORK/halt.err" || rc=$?
[ $rc -eq 1 ] || fail "halt: exit $rc"
[ "$(count_state halt failed)" -eq 1 ] && [ "$(count_state halt pending)" -eq 2 ] || fail "halt states"
[ ! -e "$(sweep_dir halt)/runs/fm_bs32_lr0.1" ] || fail "halt started another run"
"$FLOR" sweep "$WORK/halt.json" --id halt -- ./build/train > /dev/null 2> "$WORK/resume.err" ||
  fail "resume: $(cat "$WORK/resume.err")"
[ "$(count_state halt done)" -eq 2 ] && [ "$(count_state halt failed)" -eq 1 ] || fail "resume states"
! grep -q 'started fm_bs32_lroops' "$WORK/resume.err" || fail "resume reran the failed run"
rc=0; "$FLOR" sweep "$WORK/halt.json" --id halt --retry-failed -- ./build/train > /dev/null 2> "$WORK/retry.err" || rc=$?
[ $rc -eq 1 ] || fail "--retry-failed: exit $rc"
[ "$(grep -c 'started ' "$WORK/retry.err")" -eq 1 ] && grep -q 'started fm_bs32_lroops' "$WORK/retry.err" ||
  fail "--retry-failed ran: $(grep started "$WORK/retry.err")"
echo "sweep_fmnist_fail_halt: ok"
