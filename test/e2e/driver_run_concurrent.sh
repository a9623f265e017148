#!/usr/bin/env bash
# Concurrent `flor run`s in one repository all land (a shadow commit each),
# and the user's state stays byte-identical.
source "$(dirname "$0")/lib.bash"
repo=$WORK/conc
new_repo "$repo"
cd "$repo"
echo one > a.txt && git add a.txt && git commit -qm one
before=$(user_state "$repo")
# Concurrent runs in one repository all commit: 3 runs, 3 shadow commits.
"$FLOR" run conc -- sh -c 'sleep 0.2' & p1=$!
"$FLOR" run conc -- sh -c 'sleep 0.2' & p2=$!
"$FLOR" run conc2 -- true & p3=$!
wait $p1 && wait $p2 && wait $p3 || fail "a concurrent run failed"
[ "$(git rev-list --count flor.shadow)" -eq 3 ] || fail "shadow commits: $(git rev-list --count flor.shadow)"
[ "$("$FLOR" log conc | tail -n +2 | wc -l)" -eq 2 ] || fail "two runs of conc"
[ "$(user_state "$repo")" = "$before" ] || fail "concurrent: user state changed"
echo "driver_run_concurrent: ok"
