#!/usr/bin/env bash
# A record whose program crashed (std::abort() once epoch 1 ended: exit 134)
# is replayed: flor replay says, before and after, that the record failed and
# which epochs it has, replays exactly those (and not the code after the main
# loop, which the record never reached), and its verdict names both instead of
# a bare "fidelity: ok".
source "$(dirname "$0")/lib.bash"
setup_program callee_batches
cd "$REPO"
ulimit -c 0  # no core file in the user's work tree

rc=0
"$FLOR" run crash --eps 1 -- ./build/train --epochs 4 --abort-after 1 --final-log true > "$WORK/record.out" 2>&1 || rc=$?
[ "$rc" -eq 134 ] || fail "the record should exit 134, not $rc: $(cat "$WORK/record.out")"
"$FLOR" dump crash:1 --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert (d["run"]["status"], d["run"]["exit_code"]) == ("failed", 134), d["run"]
assert [e["epoch"] for e in d["epochs"]] == [0, 1], d["epochs"]
' || fail "the record: $("$FLOR" dump crash:1)"

outcome='run 1 failed (exit 134) after epoch 1: replay covers its epochs 0-1 only'
verdict='fidelity: ok for epochs 0-1 (every recorded value reproduced); the record failed (exit 134) after epoch 1, nothing later to compare'
for jobs in 1 2; do
  "$FLOR" replay crash -j $jobs > "$WORK/j$jobs.out" 2> "$WORK/j$jobs.err" ||
    fail "replay -j $jobs: $(cat "$WORK/j$jobs.out" "$WORK/j$jobs.err")"
  cat "$WORK/j$jobs.out"
  grep -qxF "flor: note: $outcome" "$WORK/j$jobs.err" || fail "-j $jobs: no note first: $(cat "$WORK/j$jobs.err")"
  grep -qxF "record: $outcome" "$WORK/j$jobs.out" || fail "-j $jobs: the summary does not say the record failed"
  grep -qx 'epochs replayed: 2 of 2 .*' "$WORK/j$jobs.out" || fail "-j $jobs: epochs replayed"
  grep -qxF "$verdict" "$WORK/j$jobs.out" || fail "-j $jobs: verdict: $(grep fidelity "$WORK/j$jobs.out")"
  [ "$(summary_runs "$WORK/j$jobs.out" | wc -l)" -eq $jobs ] || fail "-j $jobs: workers"
  # The record never ran what follows its main loop: the replay neither stores
  # nor compares the log there.
  for run in $(summary_runs "$WORK/j$jobs.out"); do "$FLOR" dump "crash:$run"; done | grep -q 'name=final_weight_sum' &&
    fail "-j $jobs: a log after the main loop of a failed record was stored"
done

# A complete record keeps the plain verdict and no record line.
"$FLOR" run whole --eps 1 -- ./build/train --epochs 2 > "$WORK/whole.out" 2>&1 || fail "record: $(cat "$WORK/whole.out")"
"$FLOR" replay whole > "$WORK/whole.out" 2> "$WORK/whole.err" || fail "replay: $(cat "$WORK/whole.out" "$WORK/whole.err")"
grep -qxF 'fidelity: ok (every recorded value reproduced)' "$WORK/whole.out" || fail "complete: $(cat "$WORK/whole.out")"
grep -q '^record: \|^flor: note: run' "$WORK/whole.out" "$WORK/whole.err" && fail "a complete record was called failed"
echo "replay_failed_record: ok"
