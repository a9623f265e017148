#!/usr/bin/env bash
# Hands-free flor on every program shape flor-instrument must handle, end to
# end on real LibTorch. The plain programs in test/instrument/shapes/ (no flor
# code in them) are a user's CMake project (find_package(flor),
# flor_instrument(TARGET)) in a git repo; all of them are built in one ninja
# run through flor-instrument in compiler-launcher mode and recorded with
# `flor run`. Then the user adds flor::log lines to each plain source (values
# the program already prints), everything is rebuilt in a second ninja run,
# and each shape is replayed twice:
#   - without probes: the skip blocks are skipped (their state restored) and
#     the new values, for every epoch, equal what the record printed;
#   - with its block probed, in 2 workers: the second worker restores a
#     checkpoint and runs the block again, so the values equal the record only
#     if the checkpoint set holds everything the block changes.
# Shapes: gan (two models, two optimizers, a periodic torch::save), converge
# (while loop with break), modules (TORCH_MODULE holder and plain struct Net),
# multifile (model in a header, batch loop in another .cc), single_stmt
# (bodies without braces), macro (batch loop in a macro: diagnosed, not
# edited; replay runs it and still gives the recorded values), classifier
# (.to(device), chained std::cout progress, per-epoch accumulators whose names
# the test section declares again, torch::save every few batches), live_out
# (the last batch's images and a vector of losses read after the batch loop;
# an evaluation loop writing a CSV file, which must run), steps (a step loop:
# no nested loop, a sampled batch per step) and full_batch (`while (++i)` with
# a break on convergence, one step over all the data per iteration).
# Env: FLOR_INSTRUMENT overrides the tool (default: the build's).
source "$(dirname "$0")/lib.bash"
TOOL=${FLOR_INSTRUMENT:-$FLOR_BUILD_DIR/tools/flor-instrument/flor-instrument}
[ -x "$TOOL" ] || { echo "skip: flor-instrument not built"; exit 77; }
help_text=$("$FLOR" help 2>/dev/null || true)
grep -q replay <<< "$help_text" || { echo "skip: flor replay not available"; exit 77; }
FMNIST_LIB=$FLOR_BUILD_DIR/examples/fashion_mnist/libfmnist.a
[ -f "$FMNIST_LIB" ] || { echo "skip: example not built"; exit 77; }
[ -f "$FLOR_BUILD_DIR/florConfig.cmake" ] || { echo "skip: no flor package in the build tree"; exit 77; }
SHAPES=(gan converge modules multifile single_stmt macro classifier live_out steps full_batch)
started=$SECONDS

REPO=$WORK/project
new_repo "$REPO"
cp -r "$FLOR_SOURCE_DIR/test/instrument/shapes/." "$REPO/"
printf 'build/\n*.pt\n*.pgm\n*.csv\n' > "$REPO/.gitignore"
for src in "$REPO"/*/*.cc "$REPO"/*/*.h; do
  [ -z "$(grep -v '^//' "$src" | grep flor || true)" ] || fail "$src: the shape programs must be plain LibTorch"
done
git -C "$REPO" add . && git -C "$REPO" commit -qm "plain training programs"

cmake -S "$REPO" -B "$REPO/build" -G Ninja -Dflor_DIR="$FLOR_BUILD_DIR" -DFLOR_INSTRUMENT_EXECUTABLE="$TOOL" \
  -DFMNIST_LIB="$FMNIST_LIB" -DFMNIST_INCLUDE="$FLOR_SOURCE_DIR/examples" > "$WORK/configure.log" 2>&1 ||
  fail "configure: $(cat "$WORK/configure.log")"
cmake --build "$REPO/build" -j 2 > "$WORK/build1.log" 2>&1 || fail "build: $(cat "$WORK/build1.log")"
echo "built ${#SHAPES[@]} programs through flor-instrument in $((SECONDS - started)) s"
git -C "$REPO" diff --quiet || fail "launcher mode changed the sources"

# The instrumented copy of a shape's main TU (next to its object file).
flor_cc() { find "$REPO/build" -name "$1.cc.o.flor.cc" -path "*/$2.dir/*"; }
expect_in() {  # FILE TEXT: the instrumented copy has TEXT (fixed string)
  grep -qF -- "$2" "$1" || fail "$(basename "$1") lacks '$2': $(grep -n 'flor::' "$1")"
}

# What flor-instrument made of each shape.
gan_cc=$(flor_cc gan gan)
expect_in "$gan_cc" 'flor::loop("epoch", 0, kEpochs)'
expect_in "$gan_cc" 'flor::block("loop", [&] { for (int64_t step = 0; step < kSteps; ++step) {'
expect_in "$gan_cc" 'flor::checkpoints(generator, discriminator, g_opt, d_opt, saves);'
expect_in "$gan_cc" '}, flor::locals(d_sum, g_sum));'
converge_cc=$(flor_cc converge converge)
expect_in "$converge_cc" 'flor::loop("epoch")) { if (!(previous - loss > 1e-6)) break;'
expect_in "$converge_cc" 'flor::block("train_round", [&] { train_round(net, optimizer, *loader, loss); });'
expect_in "$converge_cc" 'flor::checkpoints(net, optimizer, loss);'
modules_cc=$(flor_cc modules modules)
expect_in "$modules_cc" 'flor::block("train", [&] { train(encoder, head, *loader, optimizer, loss_sum); }, flor::locals(loss_sum));'
expect_in "$modules_cc" 'flor::checkpoints(encoder, head, optimizer);'
multifile_cc=$(flor_cc main multifile)
expect_in "$multifile_cc" 'flor::block("train_epoch", [&] { train_epoch(model, *loader, optimizer, loss_sum); }, flor::locals(loss_sum));'
expect_in "$multifile_cc" 'flor::checkpoints(model, optimizer);'
[ -z "$(flor_cc train multifile)" ] || fail "multifile/train.cc (no main) was instrumented"
single_cc=$(flor_cc single_stmt single_stmt)
expect_in "$single_cc" 'for (int64_t epoch : flor::loop("epoch", 0, 3)) flor::block("train_epoch", [&] { train_epoch(model, optimizer, *loader, epoch); });'
expect_in "$single_cc" 'flor::checkpoints(model, optimizer);'
classifier_cc=$(flor_cc classifier classifier)
expect_in "$classifier_cc" 'for (auto& batch : flor::loop("batch", *loader, flor::locals(running_loss, num_correct))) {'
expect_in "$classifier_cc" 'flor::checkpoints(model, optimizer);'
live_out_cc=$(flor_cc live_out live_out)
expect_in "$live_out_cc" 'for (auto& batch : flor::loop("batch", *loader, flor::locals(last_images, batch_losses))) {'
expect_in "$live_out_cc" 'flor::checkpoints(model, optimizer);'
expect_in "$live_out_cc" 'for (auto& batch : *test_loader) {'
grep -q "^$REPO/live_out/live_out.cc:54:5: warning: block 'batch_2' is not skipped: it mutates 'csv' .*\[flor-side-effects\]" \
  "$WORK/build1.log" || fail "no [flor-side-effects] warning for live_out's CSV loop: $(grep -n warning "$WORK/build1.log")"
steps_cc=$(flor_cc steps steps)
expect_in "$steps_cc" 'flor::checkpoints(model, optimizer, running);'
expect_in "$steps_cc" 'for (int64_t step : flor::loop("step", 0, kSteps)) {'
full_batch_cc=$(flor_cc full_batch full_batch)
expect_in "$full_batch_cc" 'flor::checkpoints(model, optimizer, iteration, best);'
expect_in "$full_batch_cc" 'for ([[maybe_unused]] int64_t flor_step : flor::loop("step")) { if (!(++iteration)) break;'
macro_cc=$(flor_cc macro macro)
expect_in "$macro_cc" 'flor::loop("epoch", 0, 3)'
expect_in "$macro_cc" 'FOR_EACH_BATCH(batch, loader) {'
grep -q 'flor::loop("batch"\|flor::block\|flor::checkpoints' "$macro_cc" && fail "the macro's loop was edited"
grep -q "^$REPO/macro/macro.cc:20:5: warning: block 'batch' is inside macro 'FOR_EACH_BATCH': not edited; it always runs \[flor-macro\]" \
  "$WORK/build1.log" || fail "no [flor-macro] diagnostic: $(grep -n warning "$WORK/build1.log")"
[ "$(grep -c '\[flor-' "$WORK/build1.log")" -eq 2 ] || fail "unexpected diagnostics: $(grep '\[flor-' "$WORK/build1.log")"

# Record every shape, checkpointing every block (every period of a step loop).
cd "$REPO"
for shape in "${SHAPES[@]}"; do
  "$FLOR" run "$shape" --eps 1 -- "./build/$shape" > "$WORK/$shape.record" 2>&1 ||
    fail "record $shape: $(cat "$WORK/$shape.record")"
  case $shape in
    steps) [ "$(grep -c '^step [0-9]* loss ' "$WORK/$shape.record")" -eq 6 ] ;;
    full_batch) grep -q '^iterations [0-9]* w_error ' "$WORK/$shape.record" ;;
    *) [ "$(grep -c '^epoch [0-2] ' "$WORK/$shape.record")" -eq 3 ] ;;
  esac || fail "record $shape: $(cat "$WORK/$shape.record")"
done
"$FLOR" dump steps:1 | contains '^checkpoints: [1-9]' || fail "the step loop was not checkpointed"
"$FLOR" dump macro:1 | contains '^checkpoints: 0$' || fail "the macro's loop was checkpointed"
# What live_out wrote after its batch loop (from the last batch's images) and in its evaluation loop.
md5sum live_out_epoch*.pgm live_out_eval.csv > "$WORK/live_out.md5"
[ "$(wc -l < live_out_eval.csv)" -eq 6 ] || fail "live_out_eval.csv: $(cat live_out_eval.csv)"

# In hindsight, the user logs values the programs print (one sed per line).
add_line() {  # FILE AFTER-REGEX NEW-LINE: inserts NEW-LINE (same indentation) after the matching line
  local file=$REPO/$1
  grep -q -- "$2" "$file" || fail "$1: no line matches '$2'"
  sed -i "s|^\(\s*\)\($2.*\)$|\1\2\n\1$3|" "$file"
}
for src in gan/gan.cc converge/converge.cc modules/modules.cc multifile/main.cc single_stmt/single_stmt.cc macro/macro.cc \
           classifier/classifier.cc live_out/live_out.cc steps/steps.cc full_batch/full_batch.cc; do
  sed -i '0,/^#include/s|^#include|#include <flor/flor.h>\n#include|' "$REPO/$src"
done
add_line gan/gan.cc 'double d_norm = ' 'flor::log("d_loss", d_sum / kSteps); flor::log("g_loss", g_sum / kSteps);'
add_line gan/gan.cc 'double d_norm = ' 'flor::log("g_norm", g_norm); flor::log("d_norm", d_norm);'
add_line converge/converge.cc 'double w_norm = ' 'flor::log("loss", loss); flor::log("w_norm", w_norm);'
add_line modules/modules.cc 'double accuracy = ' 'flor::log("loss", loss_sum / 24); flor::log("accuracy", accuracy);'
add_line multifile/main.cc 'double accuracy = ' 'flor::log("loss", loss_sum / 30); flor::log("accuracy", accuracy);'
add_line classifier/classifier.cc 'double accuracy = ' 'flor::log("loss", loss); flor::log("accuracy", accuracy);'
add_line live_out/live_out.cc 'double pixel_mean = ' 'flor::log("loss", loss); flor::log("spread", spread); flor::log("pixel_mean", pixel_mean);'
add_line steps/steps.cc 'std::printf("step %lld loss' 'flor::log("mean_loss", running / kPrintEvery);'
add_line steps/steps.cc 'double test_acc = ' 'flor::log("test_acc", test_acc);'
add_line full_batch/full_batch.cc 'double value = loss.item' 'flor::log("loss", value);'
add_line full_batch/full_batch.cc 'double w_error = ' 'flor::log("w_error", w_error);'
add_line macro/macro.cc 'std::fflush(stdout);' 'flor::log("loss", loss_sum / 20); flor::log("w_norm", model->weight.norm().item<double>());'
# A single-statement body gains braces to hold the new line.
sed -i 's|^\(\s*for (int64_t epoch = 0; epoch != 3; epoch += 1)\) \(train_epoch(.*);\)$|\1 {\n    \2\n    flor::log("w_norm", model->weight.norm().item<double>());\n  }|' \
  "$REPO/single_stmt/single_stmt.cc"
grep -q 'flor::log("w_norm"' "$REPO/single_stmt/single_stmt.cc" || fail "could not add the log line to single_stmt.cc"
git --no-pager diff --stat
rebuild_started=$SECONDS
cmake --build "$REPO/build" -j 2 > "$WORK/build2.log" 2>&1 || fail "rebuild: $(cat "$WORK/build2.log")"
echo "rebuilt in $((SECONDS - rebuild_started)) s"

# FLOR replay args...: runs one replay, checks fidelity, saves its summary in $WORK/last.out.
replay() {
  "$FLOR" replay "$@" > "$WORK/last.out" 2>&1 || fail "replay $*: $(cat "$WORK/last.out")"
  grep -q '^fidelity: ok' "$WORK/last.out" || fail "replay $*: fidelity: $(cat "$WORK/last.out")"
}

# SHAPE NAME...: each NAME was logged once per epoch by the last replay's
# workers, equal (to the 6 digits printed) to the record's `epoch E ... NAME V`.
check_values() {
  local shape=$1; shift
  local runs
  runs=$(summary_runs "$WORK/last.out")
  [ -n "$runs" ] || fail "$shape: no workers in $(cat "$WORK/last.out")"
  run_logs "$shape" $runs > "$WORK/dump"
  python3 - "$WORK/$shape.record" "$WORK/dump" "$shape" "$@" <<'PY' || fail "$shape: values differ from the record"
import re, sys
record, dump, shape, names = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
printed = {}
for line in open(record):
    words = line.split()
    if len(words) >= 3 and words[0] == "epoch":
        for key, value in zip(words[2::2], words[3::2]):
            printed[(int(words[1]), key)] = value
logged = {}
for epoch, step, name, value in (line.rstrip("\n").split(" ", 3) for line in open(dump)):
    if step == "-1":
        logged.setdefault((int(epoch), name), []).append(value)
bad = []
for epoch in range(3):
    for name in names:
        values = logged.get((epoch, name), [])
        want = printed.get((epoch, name))
        if len(values) != 1 or want is None or "%.6f" % float(values[0]) != want:
            bad.append(f"epoch {epoch} {name}: logged {values}, printed {want}")
for b in bad:
    print(f"{shape}: {b}", file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

skipped() { grep -q "^blocks: $1 skipped" "$WORK/last.out" || fail "${2}: skipped blocks: $(cat "$WORK/last.out")"; }
two_workers() { [ "$(summary_runs "$WORK/last.out" | wc -l)" -eq 2 ] || fail "$1: not 2 workers: $(cat "$WORK/last.out")"; }

# SHAPE BLOCK JOBS NAME...: the two replays of a shape with a skip block.
check_shape() {
  local shape=$1 block=$2 jobs=$3; shift 3
  replay "$shape" -j "$jobs"
  skipped 3 "$shape without probes"
  check_values "$shape" "$@"
  replay "$shape" -j 2 --probe "$block"
  skipped 0 "$shape probing $block"
  two_workers "$shape"
  check_values "$shape" "$@"
  echo "$shape: ok"
}
check_shape gan loop 2 d_loss g_loss g_norm d_norm
check_shape converge train_round 2 loss w_norm
check_shape modules train 1 loss accuracy
check_shape multifile train_epoch 2 loss accuracy
check_shape single_stmt train_epoch 2 w_norm
check_shape classifier batch 2 loss accuracy

# live_out: the batch loop is skipped and its locals restored: the values read
# after it, and the sample grids written from the last batch, equal the
# record's. The evaluation loop writes a CSV file the program opened, so it is
# no skip block and always runs (negative control): the file is written again,
# the same.
replay live_out -j 1
grep -q '^blocks: 3 skipped (restored), 0 re-executed' "$WORK/last.out" || fail "live_out: $(cat "$WORK/last.out")"
check_values live_out loss spread pixel_mean
md5sum -c --quiet "$WORK/live_out.md5" || fail "live_out's grids or CSV differ from the record's"
replay live_out -j 2 --probe batch
skipped 0 "live_out probing batch"
two_workers live_out
check_values live_out loss spread pixel_mean
echo "live_out: ok"

# STEP-SHAPE REGEX NAME EPOCH-OFFSET: the last replay's workers logged NAME, at
# every line of the record that matches REGEX (groups: the loop's counter and
# the value), exactly once, equal to the printed value; a counter c is epoch
# c + EPOCH-OFFSET; a line without a counter is after the loop (epoch -1).
check_printed() {
  local shape=$1 regex=$2 name=$3 offset=$4 runs
  runs=$(summary_runs "$WORK/last.out")
  run_logs "$shape" $runs > "$WORK/dump"
  python3 - "$WORK/$shape.record" "$WORK/dump" "$regex" "$name" "$offset" <<'PY' || fail "$shape: $name differs from the record"
import re, sys
record, dump, regex, name, offset = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
want = {}
for line in open(record):
    m = re.match(regex, line)
    if m:
        epoch = int(m[1]) + offset if m.lastindex == 2 else -1
        want[epoch] = m[m.lastindex]
logged = {}
for epoch, step, logged_name, value in (line.rstrip("\n").split(" ", 3) for line in open(dump)):
    if logged_name == name:
        logged.setdefault(int(epoch), []).append(value)
bad = [f"epoch {e}: logged {logged.get(e)}, printed {v}" for e, v in want.items()
       if len(logged.get(e, [])) != 1 or "%.6f" % float(logged[e][0]) != v]
for b in bad:
    print(f"{name}: {b}", file=sys.stderr)
sys.exit(1 if bad or not want else 0)
PY
}

# Step loops: the loop probed runs in 2 segments that start at period-end
# checkpoints; not probed (the new log is after the loop, --no-probes) it is
# skipped from its loop-end checkpoint, and the value after it is the record's.
replay steps -j 2 --probe step
two_workers steps
check_printed steps '^step (\d+) loss (\S+)$' mean_loss 0
check_printed steps '^test_acc (\S+)$' test_acc 0
replay steps --no-probes
grep -q '^fidelity: ok (the step loop was skipped' "$WORK/last.out" || fail "steps: loop not skipped: $(cat "$WORK/last.out")"
check_printed steps '^test_acc (\S+)$' test_acc 0
echo "steps: ok"
replay full_batch -j 2 --probe step
two_workers full_batch
check_printed full_batch '^iteration (\d+) loss (\S+)$' loss -1
check_printed full_batch '^iterations \d+ w_error (\S+)$' w_error 0
replay full_batch --no-probes
grep -q '^fidelity: ok (the step loop was skipped' "$WORK/last.out" || fail "full_batch: loop not skipped: $(cat "$WORK/last.out")"
check_printed full_batch '^iterations \d+ w_error (\S+)$' w_error 0
echo "full_batch: ok"

# The macro's loop is no skip block: nothing to restore a segment from, so one
# worker runs every epoch (and the loop) again.
replay macro -j 2
grep -q '^blocks: 0 skipped (restored), 0 re-executed' "$WORK/last.out" || fail "macro: $(cat "$WORK/last.out")"
check_values macro loss w_norm
echo "macro: ok"
echo "instrument_shapes: ok ($((SECONDS - started)) s)"
