#!/usr/bin/env bash
# Inspecting recorded runs: flor ls, dump --json, checkout of a version (the
# work tree's modified and untracked files), diff of two versions.
source "$(dirname "$0")/lib.bash"
repo=$WORK/det
new_repo "$repo"
cd "$repo"
echo one > a.txt && git add a.txt && git commit -qm one
echo changed > a.txt
echo untracked > u.txt
"$FLOR" run det -- true
# Inspecting: ls, dump, checkout of a version, diff of two versions.
"$FLOR" ls | contains '^det ' || fail "ls: $("$FLOR" ls)"
"$FLOR" dump det --json | contains '"status": "complete"' || fail "dump --json"
"$FLOR" checkout det "$WORK/co" >/dev/null
[ "$(cat "$WORK/co/a.txt")" = changed ] && [ -f "$WORK/co/u.txt" ] || fail "checkout"
echo three > a.txt
"$FLOR" run det -- true
"$FLOR" diff det:1 det:2 | contains '^+three' || fail "diff: $("$FLOR" diff det:1 det:2)"
echo "driver_run_inspect: ok"
