#!/usr/bin/env bash
# kill -9 of `flor replay -j 2`: both workers die with it.
source "$(dirname "$0")/lib.bash"
setup_program callee_batches
cd "$REPO"
"$FLOR" run cb --eps 1 -- ./build/train --epochs 4 >/dev/null 2>&1 || fail "record"
"$FLOR" replay cb -j 2 --no-probes -- sh -c "$PID_PROGRAM" "$WORK/pids" >"$WORK/out" 2>&1 & flor=$!
wait_lines "$WORK/pids" 2
kill -9 $flor
wait $flor 2>/dev/null || true
all_die $(cat "$WORK/pids")
echo "driver_kill_replay: ok"
