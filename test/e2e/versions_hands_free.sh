#!/usr/bin/env bash
# Hindsight across versions, hands-free: the plain Fashion-MNIST example (no
# flor code in it) as a user's CMake project compiled through flor-instrument
# in compiler-launcher mode (flor_instrument(train); the source never
# changes), recorded in three versions (a learning-rate default, dropout, the
# batch size). Then the user adds a plain log statement to the work tree
# (#include <flor/flor.h> and flor::log after the evaluation) and does not even
# rebuild: `flor replay --all-runs -j 2` carries both into each version, builds
# it through the launcher, analyzes it for probes (flor-instrument on that
# version's code, with its own build's compile_commands.json: the statement is
# outside the batch loop, so nothing is probed) and replays it with the batch
# loops skipped. Each run's replayed code is its version plus exactly those
# lines; the filled values equal a plain run of that code; the record's output
# (its loss, from the restored accumulators) reproduces; fidelity ok.
source "$(dirname "$0")/lib.bash"
TOOL=${FLOR_INSTRUMENT:-$FLOR_BUILD_DIR/tools/flor-instrument/flor-instrument}
[ -x "$TOOL" ] || { echo "skip: flor-instrument not built"; exit 77; }
setup_versions_project
cp "$FLOR_SOURCE_DIR/test/versions/hands_free/CMakeLists.txt" "$REPO/"
VERSIONS_BUILD=$(versions_build_command "$FLOR_BUILD_DIR" "$FLOR_SOURCE_DIR" "-DFLOR_INSTRUMENT_EXECUTABLE=$TOOL")
ARGS=(--epochs 3 --train-size 600 --test-size 200)

# plain_version N: version N of the plain example's source.
plain_version() {
  local src=$FLOR_SOURCE_DIR/examples/fashion_mnist/train_plain.cc
  case $1 in
    1) cat "$src" ;;
    2) sed 's/double lr = 1e-3;/double lr = 2e-3;/' "$src" ;;
    3) plain_version 2 | sed -e 's/fmnist::Mlp model;/fmnist::Mlp model(0.1);/' \
         -e 's/int64_t batch_size = 64;/int64_t batch_size = 32;/' ;;
  esac
}
# with_plain_statement FILE: FILE with the lines the user adds, by hand.
with_plain_statement() {
  sed -e 's|^#include <chrono>|#include <flor/flor.h>\n&|' \
      -e 's|^\(\s*\)auto eval = fmnist::evaluate(model, test);|&\n\1flor::log("test_loss", eval.loss);|' "$1"
}
for n in 1 2 3; do plain_version "$n" > "$WORK/p$n.cc"; done
! cmp -s "$WORK/p1.cc" "$WORK/p2.cc" && [ "$(diff "$WORK/p2.cc" "$WORK/p3.cc" | grep -c '^>')" -eq 2 ] ||
  fail "the versions do not differ as meant: $(diff "$WORK/p1.cc" "$WORK/p3.cc")"
with_plain_statement "$WORK/p3.cc" > "$WORK/p3+.cc"
expect_eq "$(diff "$WORK/p3.cc" "$WORK/p3+.cc" | grep -c '^>')" 2 "lines the statement adds"
grep -v '^//' "$WORK/p1.cc" | grep -q 'flor' && fail "the plain program must not use flor"

cd "$REPO"
for n in 1 2 3; do
  cp "$WORK/p$n.cc" train.cc
  git add -A && git commit -qm "plain version $n"
  CCACHE_BASEDIR=$REPO CCACHE_NOHASHDIR=1 sh -c "$VERSIONS_BUILD" > "$WORK/build-$n.log" 2>&1 || fail "build of version $n: $(tail -20 "$WORK/build-$n.log")"
  git diff --quiet || fail "the launcher changed the source"
  grep -q 'flor::loop("epoch"' build/CMakeFiles/train.dir/train.cc.o.flor.cc || fail "version $n: not instrumented"
  "$FLOR" run vh --eps 1 -- ./build/train "${ARGS[@]}" > "$WORK/record-$n.log" 2>&1 || fail "record of version $n: $(cat "$WORK/record-$n.log")"
  expect_eq "$(grep -c '^epoch [1-3]/3 ' "$WORK/record-$n.log")" 3 "version $n: epochs in the record's output"
done
expect_eq "$(q vh "select count(distinct run || '.' || epoch) from checkpoints where block='batch'")" 9 "checkpoints of the batch loops"
# The work tree: the newest version plus the statement, and no build (flor
# builds each version in its own folder, and analyzes it with that build's flags).
with_plain_statement "$WORK/p3.cc" > train.cc
rm -rf build

"$FLOR" replay vh --all-runs -j 2 --build "$VERSIONS_BUILD" > "$WORK/replay.out" 2> "$WORK/replay.err" ||
  fail "replay --all-runs: $(cat "$WORK/replay.out" "$WORK/replay.err")"
grep -q "^3 run(s) selected: 3 replayed, 0 skipped$" "$WORK/replay.out" || fail "summary: $(cat "$WORK/replay.out")"
expect_eq "$(grep -c '^fidelity: ok' "$WORK/replay.out")" 3 "fidelity lines ($(cat "$WORK/replay.out"))"
expect_eq "$(grep -Ec '^ *[1-3] +[0-9a-f]{10} +3/3 +3 +ok ' "$WORK/replay.out")" 3 "rows of the runs table ($(cat "$WORK/replay.out"))"
expect_eq "$(q vh "select count(*) from divergences")" 0 "divergences"
# Each version analyzed on its own code and build, nothing probed, nothing to note.
expect_eq "$(grep -c '^flor: looking for probes in train.cc' "$WORK/replay.err")" 3 "probe analyses ($(cat "$WORK/replay.err"))"
! grep -q '^flor: note\|^flor: probing' "$WORK/replay.err" || fail "probes: $(cat "$WORK/replay.err")"
epoch_lines() { grep '^epoch ' "$FLOR_HOME/vh/logs/run-$1.out" | sed 's/  ([0-9.]* s)$//'; }  # RUN
for run in 1 2 3; do
  replay=$(q vh "select id from runs where parent=$run")
  [ -n "$replay" ] || fail "run $run was not replayed"
  vid=$(q vh "select vid from runs where id=$replay")
  expect_eq "$(git rev-parse "$vid^")" "$(q vh "select vid from runs where id=$run")" "run $run: the replayed version's parent"
  with_plain_statement "$WORK/p$run.cc" > "$WORK/want.cc"
  git show "$vid:train.cc" | cmp -s - "$WORK/want.cc" ||
    fail "run $run: the replayed code is not the version plus the statement: $(git show "$vid:train.cc" | diff - "$WORK/want.cc")"
  expect_eq "$(q vh "select sum(skipped) from epochs where run=$replay")" 3 "run $run: batch loops skipped"
  # Its output (the loss from the restored accumulators, the accuracy) as the record printed it, but the times.
  expect_eq "$(epoch_lines "$replay")" "$(epoch_lines "$run")" "run $run: the replay's output"
  # A plain run of exactly that code (the version's folder, built by flor through the launcher).
  dir=$FLOR_HOME/vh/versions/$(git rev-parse "$vid^{tree}")
  grep -qF 'flor::log("test_loss", eval.loss);' "$dir/build/CMakeFiles/train.dir/train.cc.o.flor.cc" ||
    fail "run $run: the version was not built through the launcher"
  "$FLOR" run "plain$run" -- "$dir/build/train" "${ARGS[@]}" > "$WORK/plain$run.out" 2>&1 || fail "plain run $run: $(cat "$WORK/plain$run.out")"
  want=$(log_values "plain$run" 1 test_loss)
  expect_eq "$(echo "$want" | wc -l)" 3 "run $run: test_loss of a plain run"
  expect_eq "$(log_values vh "$replay" test_loss)" "$want" "run $run: test_loss filled in"
done
# Each version's numbers differ (the versions are not one program thrice).
expect_eq "$(for r in 1 2 3; do log_values vh "$(q vh "select id from runs where parent=$r")" test_loss | tail -1; done | sort -u | wc -l)" 3 \
  "distinct last test_loss values of the 3 versions"
echo "versions_hands_free: ok"
