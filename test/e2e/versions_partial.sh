#!/usr/bin/env bash
# Hindsight across versions, partly: of three records, one version has no
# place for the new statement (the line it follows logs `loss` there, not
# `train_loss`: a merge conflict, shown with its markers) and one does not
# build with it (its layer is not fc1: the compiler's first error is shown).
# Both are skipped with nothing written for them; the third is replayed; the
# exit status (5) says the job was partial.
source "$(dirname "$0")/lib.bash"
setup_versions_project
for v in v_conflict v_rename v3; do version_record vp "$v"; done
with_statement "$FLOR_SOURCE_DIR/test/versions/v3.cc" > "$REPO/train.cc"
cd "$REPO"
rc=0
"$FLOR" replay vp --all-runs -j 2 --no-probes --build "$VERSIONS_BUILD" > "$WORK/replay.out" 2> "$WORK/replay.err" || rc=$?
expect_eq "$rc" 5 "exit status of a partial replay ($(cat "$WORK/replay.out" "$WORK/replay.err"))"
grep -q "^flor: run 1 (version [0-9a-f]*) is skipped: train.cc: the new log statements do not fit run 1's version here:$" \
  "$WORK/replay.err" || fail "conflict not reported: $(cat "$WORK/replay.err")"
grep -q '^  [0-9]*  <<<<<<< run 1$' "$WORK/replay.err" || fail "no conflict markers: $(cat "$WORK/replay.err")"
grep -qF 'flor::log("loss", loss_sum' "$WORK/replay.err" || fail "the conflict does not show run 1's line: $(cat "$WORK/replay.err")"
grep -q "^flor: run 2 (version [0-9a-f]* + new log statements = [0-9a-f]*) is skipped: its version does not build: the build failed (exit 1): .*error: .*fc1" \
  "$WORK/replay.err" || fail "build failure not reported: $(cat "$WORK/replay.err")"
grep -q "^3 run(s) selected: 1 replayed, 2 skipped$" "$WORK/replay.out" || fail "summary: $(cat "$WORK/replay.out")"
# The table: run 1 with its own version (nothing could be placed), run 2 with the one that did not build.
grep -Eq "^ *1 +$(q vp "select substr(vid, 1, 10) from runs where id=1") +- +- +skipped +-$" "$WORK/replay.out" ||
  fail "run 1's row in the table: $(cat "$WORK/replay.out")"
grep -Eq "^ *2 +[0-9a-f]{10} +- +- +skipped +-$" "$WORK/replay.out" || fail "run 2's row in the table: $(cat "$WORK/replay.out")"
grep -Eq "^ *3 +[0-9a-f]{10} +3/3 +3 +ok +[0-9ms]+$" "$WORK/replay.out" || fail "run 3's row in the table: $(cat "$WORK/replay.out")"
expect_eq "$(q vp "select count(*) from runs where parent in (1, 2)")" 0 "replays of the skipped runs"
# Run 3 alone had the -j 2 workers: two segments.
expect_eq "$(q vp "select count(*) from runs where parent=3")" 2 "segments of run 3's replay"
expect_eq "$(q vp "select count(distinct epoch) from logs where run=3 and name='weight_norm' and hindsight=1")" 3 "weight_norm filled in for run 3"
expect_eq "$(q vp "select count(*) from logs where run in (1, 2) and name='weight_norm'")" 0 "weight_norm of the skipped runs"
expect_eq "$(q vp "select count(*) from divergences")" 0 "divergences"
echo "versions_partial: ok"
