#!/usr/bin/env bash
# flor run in a repository with commits, a modified file, a staged file, an
# untracked file and a detached HEAD: the snapshot has the work tree's files,
# and HEAD, index and files stay byte-identical.
source "$(dirname "$0")/lib.bash"
# Commits, a modified file, a staged file, a detached HEAD.
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
echo "driver_run_detached: ok"
