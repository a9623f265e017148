#!/usr/bin/env bash
# Ctrl-C (SIGINT to `flor run`) is forwarded to the program; the run ends
# interrupted, not lost, with the program's exit status.
source "$(dirname "$0")/lib.bash"
repo=$WORK/intr
new_repo "$repo"
cd "$repo"
# Ctrl-C (SIGINT to flor) is forwarded; the run ends interrupted, not lost.
"$FLOR" run intr -- sh -c 'trap "echo got-int; exit 130" INT; echo ready; while :; do sleep 0.05; done' \
  >"$WORK/intr.out" 2>&1 & pid=$!
for _ in $(seq 100); do grep -q ready "$WORK/intr.out" && break; sleep 0.1; done
kill -INT $pid
rc=0; wait $pid || rc=$?
[ "$rc" -eq 130 ] || fail "interrupted exit $rc"
grep -q got-int "$FLOR_HOME/intr/logs/run-1.out" || fail "child did not get SIGINT"
"$FLOR" log intr | contains ' interrupted  record ' || fail "status: $("$FLOR" log intr)"
echo "driver_run_sigint: ok"
