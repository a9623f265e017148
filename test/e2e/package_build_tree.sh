#!/usr/bin/env bash
# README's "straight from the build tree": a user's project written as the
# LibTorch tutorial writes it (target_link_libraries(train "${TORCH_LIBRARIES}"),
# the plain signature) adds find_package(flor) and flor_instrument(train), is
# configured with nothing but -Dflor_DIR=<flor build>, builds through the
# flor-instrument that build made, runs, and records with `flor run`.
source "$(dirname "$0")/lib.bash"
TOOL=$FLOR_BUILD_DIR/tools/flor-instrument/flor-instrument
[ -x "$TOOL" ] || { echo "skip: flor-instrument not built"; exit 77; }
[ -f "$FLOR_BUILD_DIR/florConfig.cmake" ] || { echo "skip: no flor package in the build tree"; exit 77; }

REPO=$WORK/project
new_repo "$REPO"
cp "$FLOR_SOURCE_DIR"/test/package/libtorch_tutorial/{CMakeLists.txt,train.cc} "$REPO/"
printf 'build/\n' > "$REPO/.gitignore"
git -C "$REPO" add . && git -C "$REPO" commit -qm "a LibTorch tutorial program"

cmake -S "$REPO" -B "$REPO/build" -G Ninja -Dflor_DIR="$FLOR_BUILD_DIR" > "$WORK/configure.log" 2>&1 ||
  fail "configure with -Dflor_DIR alone: $(cat "$WORK/configure.log")"
grep -q "FLOR_INSTRUMENT_EXECUTABLE" "$REPO/build/CMakeCache.txt" && fail "the tool was searched for, not imported"
grep -rqF --include="*.ninja" "$TOOL" "$REPO/build" || fail "the build does not run $TOOL"
cmake --build "$REPO/build" > "$WORK/build.log" 2>&1 || fail "build: $(cat "$WORK/build.log")"
flor_cc=$(find "$REPO/build" -name 'train.cc.o.flor.cc')
[ -n "$flor_cc" ] && grep -q 'flor::loop("epoch"' "$flor_cc" || fail "train.cc was not instrumented: $(cat "$WORK/build.log")"

cd "$REPO"
out=$(./build/train) || fail "the program failed: $out"
[ "$(grep -c '^epoch [0-2] loss ' <<<"$out")" -eq 3 ] || fail "the program printed: $out"
"$FLOR" run tutorial -- ./build/train > "$WORK/record.log" 2>&1 || fail "flor run: $(cat "$WORK/record.log")"
"$FLOR" dump tutorial:1 --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["run"]["status"] == "complete", d["run"]
assert [e["epoch"] for e in d["epochs"]] == [0, 1, 2], d["epochs"]
' || fail "the record: $("$FLOR" dump tutorial:1)"
echo "package_build_tree: ok"
