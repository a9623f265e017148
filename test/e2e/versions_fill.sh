#!/usr/bin/env bash
# Hindsight across versions: three records of a program whose code changed
# between them (a learning-rate default, a layer width, dropout, the
# evaluation moved into a function), then one new log statement in the work
# tree: `flor replay --all-runs -j 2` fills it in for all three runs. Each
# run's replayed version is its own code plus exactly the statement (as placed
# by hand here), committed on top of its version; the batch loops were skipped
# from checkpoints; the filled values equal a plain run of that code; the
# recorded values reproduce (no divergence); `flor show --runs all --name`
# tabulates the new metric across the runs. --dry-run shows the same diffs,
# replays nothing and leaves the repository's refs as they were; with
# --transplant all it carries a line that logs nothing too.
source "$(dirname "$0")/lib.bash"
setup_versions_project
for v in v1 v2 v3; do version_record vx "$v"; done
# The work tree: the newest version plus the statement, not even built: flor builds each version.
with_statement "$FLOR_SOURCE_DIR/test/versions/v3.cc" > "$REPO/train.cc"
cd "$REPO"

refs_before=$(git for-each-ref)
"$FLOR" replay vx --all-runs --dry-run > "$WORK/dry.out" 2> "$WORK/dry.err" || fail "dry run: $(cat "$WORK/dry.out" "$WORK/dry.err")"
expect_eq "$(grep -cxF "+$VERSIONS_STATEMENT" "$WORK/dry.out")" 3 "statements in the dry run's diffs"
expect_eq "$(grep -c '^+' "$WORK/dry.out")" 6 "added lines in the dry run's diffs (+++ and the statement, per run)"
expect_eq "$(q vx "select count(*) from runs")" 3 "runs after a dry run"
expect_eq "$(git for-each-ref)" "$refs_before" "refs after a dry run (no shadow commit, no refs/flor/versions)"
# --transplant all carries every hunk: a line that logs nothing goes into each version too; by default it stays out.
echo "// tuned on 2026-11-30" >> train.cc
"$FLOR" replay vx --all-runs --dry-run --transplant all > "$WORK/dry_all.out" 2>&1 || fail "dry run, all: $(cat "$WORK/dry_all.out")"
expect_eq "$(grep -cxF "+// tuned on 2026-11-30" "$WORK/dry_all.out")" 3 "the other line with --transplant all"
"$FLOR" replay vx --all-runs --dry-run > "$WORK/dry_logs.out" 2>&1 || fail "dry run: $(cat "$WORK/dry_logs.out")"
expect_eq "$(grep -cxF "+// tuned on 2026-11-30" "$WORK/dry_logs.out")" 0 "the other line by default"
with_statement "$FLOR_SOURCE_DIR/test/versions/v3.cc" > train.cc

"$FLOR" replay vx --all-runs -j 2 --no-probes --build "$VERSIONS_BUILD" > "$WORK/replay.out" 2> "$WORK/replay.err" ||
  fail "replay --all-runs: $(cat "$WORK/replay.out" "$WORK/replay.err")"
grep -q "^3 run(s) selected: 3 replayed, 0 skipped$" "$WORK/replay.out" || fail "summary: $(cat "$WORK/replay.out")"
# One work queue over the versions' segments: 3 of them on 2 workers, the third started when a worker was free.
grep -q "replaying run(s) 1, 2, 3 of 'vx': 3 segment(s) on 2 worker(s)" "$WORK/replay.err" ||
  fail "the work queue: $(cat "$WORK/replay.err")"
# One progress line for the whole job (3 segments through 2 workers): every run on it, from the first line to the last.
grep '^replay vx:' "$WORK/replay.err" > "$WORK/progress" || fail "no progress line: $(cat "$WORK/replay.err")"
expect_eq "$(grep -c '^replay vx:  run 1 [0-3]/3  run 2 [0-3]/3  run 3 [0-3]/3  \[' "$WORK/progress")" "$(wc -l < "$WORK/progress")" \
  "progress lines with all 3 runs ($(cat "$WORK/progress"))"
tail -1 "$WORK/progress" | grep -q '  \[9/9 epochs, ' || fail "last progress line: $(tail -1 "$WORK/progress")"
# A table at the end, a row per run: its version, epochs, new values, fidelity, time.
grep -Eq '^ *run +version +epochs +new values +fidelity +time$' "$WORK/replay.out" || fail "no runs table: $(cat "$WORK/replay.out")"
expect_eq "$(q vx "select count(*) from divergences")" 0 "divergences"
for run in 1 2 3; do
  replay=$(q vx "select id from runs where parent=$run")
  [ -n "$replay" ] || fail "run $run was not replayed"
  vid=$(q vx "select vid from runs where id=$replay")
  grep -Eq "^ *$run +${vid:0:10} +3/3 +3 +ok +[0-9ms]+$" "$WORK/replay.out" || fail "run $run's row: $(cat "$WORK/replay.out")"
  expect_eq "$(git rev-parse "$vid^")" "$(q vx "select vid from runs where id=$run")" "run $run: the replayed version's parent"
  with_statement "$FLOR_SOURCE_DIR/test/versions/v$run.cc" > "$WORK/want.cc"
  git show "$vid:train.cc" | cmp -s - "$WORK/want.cc" || fail "run $run: the replayed code is not the version plus the statement: $(git show "$vid:train.cc" | diff - "$WORK/want.cc")"
  expect_eq "$(q vx "select sum(skipped) from epochs where run=$replay")" 3 "run $run: batch loops skipped"
  # A plain run of exactly that code (the version's folder, built by flor) computes the same values.
  dir=$FLOR_HOME/vx/versions/$(git rev-parse "$vid^{tree}")
  "$FLOR" run "plain$run" -- "$dir/build/train" "${VERSIONS_ARGS[@]}" > "$WORK/plain$run.out" 2>&1 || fail "plain run $run: $(cat "$WORK/plain$run.out")"
  want=$(log_values "plain$run" 1 weight_norm)
  expect_eq "$(echo "$want" | wc -l)" 3 "run $run: weight_norm of a plain run"
  expect_eq "$(log_values vx "$replay" weight_norm)" "$want" "run $run: weight_norm filled in"
done
# The new metric across the runs: a column per record, every epoch filled.
"$FLOR" show vx --runs all --name weight_norm --format csv > "$WORK/show.csv" || fail "show --runs: $(cat "$WORK/show.csv")"
expect_eq "$(head -1 "$WORK/show.csv")" "epoch,run 1,run 2,run 3" "show --runs: header"
expect_eq "$(tail -n +2 "$WORK/show.csv" | grep -c '^[0-2],[^,]\+,[^,]\+,[^,]\+$')" 3 "show --runs: full rows ($(cat "$WORK/show.csv"))"
expect_eq "$(sed -n 2p "$WORK/show.csv" | cut -d, -f2)" "$(log_values vx "$(q vx "select id from runs where parent=1")" weight_norm | head -1 | cut -d' ' -f2)" "show --runs: run 1's first value"
echo "versions_fill: ok"
