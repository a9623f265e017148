#!/usr/bin/env bash
# SIGTERM to `flor run`: passed on to the program; one that ignores it is killed
# --kill-after seconds later (flor does not wait forever); one that handles it
# exits with its own status.
source "$(dirname "$0")/lib.bash"
new_repo "$WORK/repo" && cd "$WORK/repo"

"$FLOR" run t --kill-after nan -- true 2>"$WORK/err" && fail "--kill-after nan accepted" || rc=$?
[ "$rc" -eq 2 ] && grep -q -- '--kill-after' "$WORK/err" || fail "bad --kill-after: exit $rc, $(cat "$WORK/err")"

# Ignores SIGTERM (so do the sleeps it starts: SIG_IGN is inherited).
timeout 30 "$FLOR" run t --kill-after 1 -- sh -c 'trap "" TERM; echo $$ >> "$0"; while :; do sleep 0.1; done' \
  "$WORK/pids" >"$WORK/out" 2>&1 & flor=$!
wait_lines "$WORK/pids" 1
t0=$(date +%s%N)
kill -TERM $flor
rc=0; wait $flor || rc=$?
took_ms=$((($(date +%s%N) - t0) / 1000000))
[ "$rc" -eq 137 ] || fail "ignoring program: exit $rc (124: flor waited for it), $(cat "$WORK/out")"
[ "$took_ms" -ge 900 ] && [ "$took_ms" -lt 5000 ] || fail "killed after $took_ms ms, expected about 1000"
grep -q 'killed it (SIGKILL)' "$WORK/out" || fail "no message: $(cat "$WORK/out")"
all_die $(cat "$WORK/pids")
"$FLOR" log t | contains ' interrupted  record ' || fail "status: $("$FLOR" log t)"

# Handles SIGTERM: its own exit status, no SIGKILL.
"$FLOR" run t2 -- sh -c 'trap "echo bye; exit 143" TERM; echo $$ >> "$0"; while :; do sleep 0.1; done' \
  "$WORK/pids2" >"$WORK/out2" 2>&1 & flor=$!
wait_lines "$WORK/pids2" 1
kill -TERM $flor
rc=0; wait $flor || rc=$?
[ "$rc" -eq 143 ] && grep -q bye "$WORK/out2" || fail "handling program: exit $rc, $(cat "$WORK/out2")"
grep -q SIGKILL "$WORK/out2" && fail "handling program was killed: $(cat "$WORK/out2")"
echo "driver_sigterm: ok"
