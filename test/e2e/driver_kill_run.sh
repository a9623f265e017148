#!/usr/bin/env bash
# kill -9 of `flor run`: the program it started dies with it, and does not train
# on and mark its run complete.
source "$(dirname "$0")/lib.bash"
new_repo "$WORK/repo" && cd "$WORK/repo"
"$FLOR" run orphan -- sh -c "$PID_PROGRAM" "$WORK/pids" >"$WORK/out" 2>&1 & flor=$!
wait_lines "$WORK/pids" 1
kill -9 $flor
wait $flor 2>/dev/null || true
all_die $(cat "$WORK/pids")
echo "driver_kill_run: ok"
