#!/usr/bin/env bash
# flor sweep on the Fashion-MNIST example killed (kill -9) halfway: the same
# command finishes the sweep without rerunning the runs that had finished.
source "$(dirname "$0")/lib.bash"
setup_sweep_example

EPOCHS=4 sweep_config "$WORK/kill.json" "0.1, 0.01, 0.001" "32, 64"
"$FLOR" sweep "$WORK/kill.json" --id kill -- ./build/train > /dev/null 2>&1 &
pid=$!
wait_for 120 at_least kill done 2
kill -9 $pid; wait $pid 2>/dev/null || true
done_before=$("$FLOR" sweep "$WORK/kill.json" --id kill --dry-run --format json -- ./build/train |
  jq -r '.[] | select(.action == "skip" and .state == "done") | .run')
[ -n "$done_before" ] || fail "no finished run before the kill"
sleep 1  # the killed runs' programs see their flor run die
"$FLOR" sweep "$WORK/kill.json" --id kill -- ./build/train > /dev/null 2> "$WORK/kill.err" || fail "restart: $(cat "$WORK/kill.err")"
[ "$(count_state kill done)" -eq 6 ] || fail "restart did not finish"
grep -q 'started ' "$WORK/kill.err" || fail "the kill came too late: nothing was left to run"
for run in $done_before; do
  ! grep -q "started $run " "$WORK/kill.err" || fail "$run ran again"
  [ "$(grep -c 'recording run' "$(sweep_dir kill)/runs/$run/stderr.log")" -eq 1 ] || fail "$run recorded twice"
done
echo "sweep_fmnist_kill_resume: ok"
