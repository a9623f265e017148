#!/usr/bin/env bash
# Hands-free flor, end to end on real LibTorch: the plain Fashion-MNIST program
# (no flor code in it) is compiled through flor-instrument in compiler-launcher
# mode (the source never changes), recorded with `flor run`; then log lines are
# added to the plain source, the program is rebuilt and `flor replay -j 2`
# (no --probe: it finds the probed block with flor-instrument and the build's
# compile_commands.json) fills the new values for every epoch with fidelity ok;
# they equal the manual-API version's.
# Env: FLOR_INSTRUMENT overrides the tool (default: the build's).
source "$(dirname "$0")/lib.bash"
TOOL=${FLOR_INSTRUMENT:-$FLOR_BUILD_DIR/tools/flor-instrument/flor-instrument}
[ -x "$TOOL" ] || { echo "skip: flor-instrument not built"; exit 77; }
# (grep -q on a pipe would end it early: with pipefail, capture output first)
help_text=$("$FLOR" help 2>/dev/null || true)
grep -q replay <<< "$help_text" || { echo "skip: flor replay not available"; exit 77; }
example=$FLOR_BUILD_DIR/examples/fashion_mnist
[ -x "$example/train" ] && [ -f "$example/libfmnist.a" ] || { echo "skip: example not built"; exit 77; }
ARGS=(--epochs 3 --train-size 1000 --test-size 300)

REPO=$WORK/project
new_repo "$REPO"
cp "$FLOR_SOURCE_DIR/examples/fashion_mnist/train_plain.cc" "$REPO/train.cc"
grep -v '^//' "$REPO/train.cc" | grep -q 'flor::' && fail "the plain program must not use flor"
# A header of the user's own, which the probe analysis reads.
printf '#pragma once\n// settings of this program\n' > "$REPO/settings.h"
sed -i '0,/^#include "fashion_mnist/s||#include "settings.h"\n&|' "$REPO/train.cc"
printf 'build/\n' > "$REPO/.gitignore"
mkdir -p "$REPO/build" "$WORK/obj"
git -C "$REPO" add . && git -C "$REPO" commit -qm "plain training program"

# The compile flags CMake uses for the manual-API example (its include path
# has the runtime), with flor-instrument as the launcher; then its link line.
build_program() {
  python3 - "$FLOR_BUILD_DIR" "$TOOL" "$REPO/train.cc" "$WORK/obj/train.o" "$REPO/build/train" <<'PY'
import json, shlex, subprocess, sys
build, tool, source, obj, exe = sys.argv[1:]
entry = next(e for e in json.load(open(build + "/compile_commands.json"))
             if e["file"].endswith("examples/fashion_mnist/train.cc"))
args, out, skip = shlex.split(entry["command"]), [tool], False
for i, a in enumerate(args):
    if skip: skip = False; continue
    if a in ("-o", "-MF", "-MT"): skip = True; continue
    if a == "-MD": continue
    if a.endswith("examples/fashion_mnist/train.cc"): a = source
    out.append(a)
out += ["-o", obj]
subprocess.run(out, cwd=entry["directory"], check=True)
# The compilation database a CMake build would leave beside the program.
json.dump([{"directory": entry["directory"], "file": source, "arguments": out[1:]}],
          open(exe.rsplit("/", 1)[0] + "/compile_commands.json", "w"))
link = subprocess.run(["ninja", "-C", build, "-t", "commands", "fmnist_train"], capture_output=True,
                      text=True, check=True).stdout.strip().splitlines()[-1]
link = link.replace("examples/fashion_mnist/CMakeFiles/fmnist_train.dir/train.cc.o", obj)
link = link.replace("-o examples/fashion_mnist/train ", "-o " + exe + " ")
subprocess.run(link, shell=True, cwd=build, check=True)
PY
}

build_program 2> "$WORK/build1.err" || fail "build: $(cat "$WORK/build1.err")"
cat "$WORK/build1.err"
flor_cc=$WORK/obj/train.o.flor.cc
grep -q 'flor::loop("epoch", 0, opt.epochs)' "$flor_cc" || fail "main loop not instrumented: $(grep -n 'for (' "$flor_cc")"
grep -q "^#line [0-9]* \"$REPO/train.cc\"" "$flor_cc" || fail "no #line directive"
[ "$(grep -v '^#' "$flor_cc" | wc -l)" -eq "$(grep -v '^#' "$REPO/train.cc" | wc -l)" ] || fail "launcher output does not keep lines"
git -C "$REPO" diff --quiet || fail "launcher mode changed the source"

cd "$REPO"
"$FLOR" run fm --eps 1 -- ./build/train "${ARGS[@]}" > "$WORK/record.out" 2>&1 || fail "record: $(cat "$WORK/record.out")"
[ "$(grep -c '^epoch [0-9]/3' "$WORK/record.out")" -eq 3 ] || fail "record output: $(cat "$WORK/record.out")"

# The user adds log lines to the plain source: one per epoch, one per step in the batch loop.
sed -i 's|^#include <chrono>|#include <flor/flor.h>\n#include <chrono>|' train.cc
sed -i 's|^\(\s*\)auto eval = fmnist::evaluate(model, test);|&\n\1flor::log("test_acc", eval.accuracy);|' train.cc
sed -i 's|^\(\s*\)loss.backward();|&\n\1flor::log("step_loss", loss.item<double>());|' train.cc
grep -q 'flor::log("test_acc"' train.cc && grep -q 'flor::log("step_loss"' train.cc || fail "could not add log lines"

# Probe detection against the recorded version: the batch loop gained a log.
git show HEAD:train.cc > "$WORK/recorded.cc"
flags=$(python3 -c "
import json, shlex, sys
e = next(e for e in json.load(open('$FLOR_BUILD_DIR/compile_commands.json')) if e['file'].endswith('examples/fashion_mnist/train.cc'))
a = shlex.split(e['command'])[1:]
print(' '.join(shlex.quote(x) for x in a if x.startswith(('-I', '-D', '-std', '-isystem')) or x.startswith('/usr/include')))")
eval "probe_flags=($flags)"
probed=$("$TOOL" --probes --recorded "$WORK/recorded.cc" train.cc -- "${probe_flags[@]}") || fail "--probes failed"
[ "$probed" = "batch" ] || fail "probed blocks: '$probed' (want batch)"

build_program 2> "$WORK/build2.err" || fail "rebuild: $(cat "$WORK/build2.err")"
mkdir -p .git/flor/probes && touch -d '40 days ago' .git/flor/probes/0000000000000000.json  # stale: pruned
# Fidelity ok, test_acc filled once per epoch.
record_replay_compare fm test_acc 0-2 - -j 2
[ ! -e .git/flor/probes/0000000000000000.json ] || fail "a stale probe cache entry was kept"
grep -q '^flor: probing batch: new log calls inside' "$WORK/replay.err" || fail "probes not found by flor replay: $(cat "$WORK/replay.err")"

# Again: the analysis is kept (<git dir>/flor/probes), so no second parse, the same probes.
"$FLOR" replay fm -j 2 > "$WORK/replay2.out" 2> "$WORK/replay2.err" || fail "2nd replay: $(cat "$WORK/replay2.err")"
grep -q '^flor: probing batch: new log calls inside' "$WORK/replay2.err" || fail "2nd replay: $(cat "$WORK/replay2.err")"
! grep -q 'looking for probes' "$WORK/replay2.err" || fail "2nd replay parsed again: $(cat "$WORK/replay2.err")"
# The probed batch loop ran: its new per-step values are there, in every epoch.
steps=$(for run in $(newest_replays fm 2); do log_values fm "$run" step_loss step; done |
  cut -d' ' -f1 | sort -un | tr '\n' ' ')
[ "$steps" = "0 1 2 " ] || fail "step_loss per step in epochs: '$steps'"
# The batch loop was a real skip block: the record has checkpoints.
"$FLOR" dump fm:1 --json > "$WORK/record.json"
[ "$(jq '.checkpoints | length' "$WORK/record.json")" -gt 0 ] || fail "no checkpoints in the record: $(head -c 2000 "$WORK/record.json")"

# The same numbers as the manual-API version of the program.
"$FLOR" run manual -- "$example/train" "${ARGS[@]}" > "$WORK/manual.out" 2>&1 || fail "manual record: $(cat "$WORK/manual.out")"
values() {  # exp runs... -> "epoch value" of test_acc
  local exp=$1 run; shift
  for run in "$@"; do log_values "$exp" "$run" test_acc; done | sort -n
}
hands_free=$(values fm $(newest_replays fm 2))
manual=$(values manual 1)
[ -n "$manual" ] && [ "$hands_free" = "$manual" ] || fail "hands-free $hands_free vs manual $manual"

# Without probes the batch loop is skipped and its state restored (model,
# optimizer, and the running loss as the block's local): still the same numbers.
"$FLOR" replay fm -j 2 --no-probes > "$WORK/skip.out" 2>&1 || fail "replay without probes: $(cat "$WORK/skip.out")"
grep -q '^blocks: [1-9][0-9]* skipped' "$WORK/skip.out" || fail "nothing skipped: $(cat "$WORK/skip.out")"
grep -q '^fidelity: ok' "$WORK/skip.out" || fail "fidelity after skipping: $(cat "$WORK/skip.out")"
[ "$(values fm $(newest_replays fm 2))" = "$manual" ] || fail "skipped replay: $(values fm $(newest_replays fm 2)) vs $manual"
# The answer depends on what the analysis read: not on other files of the work
# tree (a replay's output saved into it), but on a header the file includes.
"$FLOR" replay fm --epochs 2 > "$REPO/replay-notes.txt" 2> "$WORK/replay3.err" || fail "3rd replay: $(cat "$WORK/replay3.err")"
grep -q '^flor: probing batch' "$WORK/replay3.err" && ! grep -q 'looking for probes' "$WORK/replay3.err" ||
  fail "an untracked file in the work tree invalidated the probe cache: $(cat "$WORK/replay3.err")"
echo '// edited' >> settings.h
"$FLOR" replay fm --epochs 2 > /dev/null 2> "$WORK/replay4.err" || fail "4th replay: $(cat "$WORK/replay4.err")"
grep -q 'looking for probes' "$WORK/replay4.err" || fail "an edited header kept the probe cache: $(cat "$WORK/replay4.err")"
echo "instrument_fmnist: ok"
