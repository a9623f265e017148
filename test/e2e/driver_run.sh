#!/usr/bin/env bash
# flor run with real processes and real repositories: the shadow commit leaves
# the user's HEAD, index and files byte-identical (empty repo, detached HEAD,
# FLOR_HOME inside the repo), concurrent runs both land, the environment
# contract reaches the program, output is streamed and kept, exit status and
# Ctrl-C come through.
source "$(dirname "$0")/lib.bash"

# 1. A repository without commits; FLOR_HOME inside it (kept out of the snapshot).
repo=$WORK/empty
new_repo "$repo"
cd "$repo"
printf 'build/\n' > .gitignore
echo 'print' > train.sh
mkdir -p build && echo binary > build/train
export FLOR_HOME=$repo/.florhome
# Made now: creating it later changes the repo folder's mtime, which
# user_state sees whenever the record starts in a later second (a loaded machine).
mkdir -p "$FLOR_HOME"
before=$(user_state "$repo")
out=$("$FLOR" run envtest --eps 0.25 --threads 2 -- sh -c \
  'echo "$FLOR_MODE|$FLOR_NAME|$FLOR_RUN_ID|$FLOR_EPS|$FLOR_THREADS|$OMP_NUM_THREADS|$OPENBLAS_NUM_THREADS|$FLOR_HOME|${#FLOR_VID}"; echo to-stderr >&2; exit 7' \
  2>"$WORK/err") && fail "exit 7 expected" || rc=$?
[ "$rc" -eq 7 ] || fail "exit status $rc, expected 7"
[ "$out" = "record|envtest|1|0.25|2|2|1|$repo/.florhome|40" ] || fail "contract: $out"
grep -q to-stderr "$WORK/err" || fail "stderr not streamed"
log=$FLOR_HOME/envtest/logs/run-1.out
grep -q "^record|envtest" "$log" && grep -q to-stderr "$log" || fail "log copy: $(cat "$log")"
[ "$(user_state "$repo" | grep -v florhome)" = "$(echo "$before" | grep -v florhome)" ] || fail "empty repo: user state changed"
git rev-parse -q --verify HEAD >/dev/null && fail "HEAD was born"
[ "$(git ls-tree -r --name-only flor.shadow)" = "$(printf '.gitignore\ntrain.sh')" ] || fail "snapshot: $(git ls-tree -r --name-only flor.shadow)"
"$FLOR" log envtest | contains ' failed  record ' || fail "status failed: $("$FLOR" log envtest)"
[ "$(cat .git/flor/last)" = envtest ] || fail ".git/flor/last"

# 2. Commits, a modified file, a staged file, a detached HEAD.
export FLOR_HOME=$WORK/home
repo=$WORK/detached
new_repo "$repo"
cd "$repo"
echo one > a.txt && git add a.txt && git commit -qm one
echo two > b.txt && git add b.txt && git commit -qm two
git checkout -q --detach HEAD~1
echo changed > a.txt
echo staged > s.txt && git add s.txt
echo untracked > u.txt
before=$(user_state "$repo")
head=$(git rev-parse HEAD)
"$FLOR" run det -- true
[ "$(user_state "$repo")" = "$before" ] || fail "detached: user state changed"
[ "$(git rev-parse HEAD)" = "$head" ] && [ "$(git rev-parse --abbrev-ref HEAD)" = HEAD ] || fail "HEAD moved"
[ "$(git show flor.shadow:a.txt)" = changed ] || fail "snapshot has the work tree's a.txt"
[ "$(git ls-tree -r --name-only flor.shadow | tr '\n' ' ')" = "a.txt s.txt u.txt " ] || fail "detached snapshot files"
"$FLOR" log det | contains ' complete  record ' || fail "status complete"

# 3. Concurrent runs in one repository both commit.
"$FLOR" run conc -- sh -c 'sleep 0.2' & p1=$!
"$FLOR" run conc -- sh -c 'sleep 0.2' & p2=$!
"$FLOR" run conc2 -- true & p3=$!
wait $p1 && wait $p2 && wait $p3 || fail "a concurrent run failed"
[ "$(git rev-list --count flor.shadow)" -eq 4 ] || fail "shadow commits: $(git rev-list --count flor.shadow)"
[ "$("$FLOR" log conc | tail -n +2 | wc -l)" -eq 2 ] || fail "two runs of conc"
[ "$(user_state "$repo")" = "$before" ] || fail "concurrent: user state changed"

# 4. Ctrl-C (SIGINT to flor) is forwarded; the run ends interrupted, not lost.
"$FLOR" run intr -- sh -c 'trap "echo got-int; exit 130" INT; echo ready; while :; do sleep 0.05; done' \
  >"$WORK/intr.out" 2>&1 & pid=$!
for _ in $(seq 100); do grep -q ready "$WORK/intr.out" && break; sleep 0.1; done
kill -INT $pid
rc=0; wait $pid || rc=$?
[ "$rc" -eq 130 ] || fail "interrupted exit $rc"
grep -q got-int "$FLOR_HOME/intr/logs/run-1.out" || fail "child did not get SIGINT"
"$FLOR" log intr | contains ' interrupted  record ' || fail "status: $("$FLOR" log intr)"

# 5. Inspecting: ls, dump, checkout of a version, diff of two versions.
"$FLOR" ls | contains '^det ' || fail "ls: $("$FLOR" ls)"
"$FLOR" dump det --json | contains '"status": "complete"' || fail "dump --json"
"$FLOR" checkout det "$WORK/co" >/dev/null
[ "$(cat "$WORK/co/a.txt")" = changed ] && [ -f "$WORK/co/u.txt" ] || fail "checkout"
echo three > a.txt
"$FLOR" run det -- true
"$FLOR" diff det:1 det:2 | contains '^+three' || fail "diff: $("$FLOR" diff det:1 det:2)"
echo "driver_run: ok"
