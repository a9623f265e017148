#!/usr/bin/env bash
# flor run in a repository without commits, FLOR_HOME inside it (kept out of
# the snapshot): the shadow commit leaves the user's HEAD (unborn), index and
# files byte-identical; the environment contract reaches the program; output
# is streamed and kept; the exit status comes through.
source "$(dirname "$0")/lib.bash"
# A repository without commits; FLOR_HOME inside it (kept out of the snapshot).
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
echo "driver_run_empty_repo: ok"
