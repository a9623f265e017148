#!/usr/bin/env bash
# kill -9 of `flor sweep`: every run (`flor run` and the program under it) dies
# with it, and the same command afterwards runs the interrupted permutations again.
source "$(dirname "$0")/lib.bash"
new_repo "$WORK/repo" && cd "$WORK/repo"
git commit -q --allow-empty -m start
echo '{"data_name": "sk", "x": [1, 2], "meta": {"max_parallel": 2, "allow_cpu": true}}' > "$WORK/grid.json"
"$FLOR" sweep "$WORK/grid.json" --id k -- sh -c "$PID_PROGRAM" "$WORK/pids" >"$WORK/out" 2>&1 & flor=$!
wait_lines "$WORK/pids" 2
runs=$(pgrep -P $flor | tr '\n' ' ')  # the `flor run` processes
[ -n "$runs" ] || fail "no flor run under the sweep"
kill -9 $flor
wait $flor 2>/dev/null || true
all_die $(cat "$WORK/pids") $runs
journal=$FLOR_HOME/sk/sweeps/k/journal.json
[ "$(jq '[.entries[] | select(.state == "running" and .pid > 0 and .pid_start > 0)] | length' "$journal")" -eq 2 ] ||
  fail "journal: $(cat "$journal")"
"$FLOR" sweep "$WORK/grid.json" --id k -- true >"$WORK/out2" 2>&1 || fail "restart: $(cat "$WORK/out2")"
[ "$(jq '[.entries[] | select(.state == "done")] | length' "$journal")" -eq 2 ] || fail "restart: $(cat "$journal")"
echo "sweep_kill: ok"
