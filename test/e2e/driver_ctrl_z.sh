#!/usr/bin/env bash
# Ctrl-Z (SIGTSTP) to `flor run` stops the program too, though it runs in its
# own session; SIGCONT (fg) resumes both.
source "$(dirname "$0")/lib.bash"
new_repo "$WORK/repo" && cd "$WORK/repo"
state() { sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1; }
wait_state() {  # wait_state PID STATE
  for _ in $(seq 50); do [ "$(state "$1")" = "$2" ] && return 0; sleep 0.1; done
  fail "process $1 is in state $(state "$1"), expected $2"
}
"$FLOR" run z -- sh -c "$PID_PROGRAM" "$WORK/pids" >"$WORK/out" 2>&1 & flor=$!
wait_lines "$WORK/pids" 1
prog=$(cat "$WORK/pids")
kill -TSTP $flor
wait_state $prog T
wait_state $flor T
kill -CONT $flor
wait_state $prog S
kill -TERM $flor
rc=0; wait $flor || rc=$?
[ "$rc" -eq 143 ] || fail "exit $rc after SIGTERM: $(cat "$WORK/out")"
echo "driver_ctrl_z: ok"
