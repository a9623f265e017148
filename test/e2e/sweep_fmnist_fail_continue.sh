#!/usr/bin/env bash
# flor sweep on the Fashion-MNIST example with a failing permutation and the
# default on_failure (continue): the failure is reported with its log tail, the
# other permutation runs, and the sweep exits 1.
source "$(dirname "$0")/lib.bash"
setup_sweep_example

PAR=1 sweep_config "$WORK/cont.json" '"oops", 0.1' "32"
rc=0; "$FLOR" sweep "$WORK/cont.json" --id cont -- ./build/train > /dev/null 2> "$WORK/cont.err" || rc=$?
[ $rc -eq 1 ] || fail "continue: exit $rc"
grep -q "FAILED  fm_bs32_lroops (exit status [0-9]" "$WORK/cont.err" || fail "no failure line: $(cat "$WORK/cont.err")"
grep -q '    | .*oops' "$WORK/cont.err" || fail "no log tail with the failure: $(cat "$WORK/cont.err")"
[ "$(count_state cont done)" -eq 1 ] || fail "continue did not run the rest"
echo "sweep_fmnist_fail_continue: ok"
