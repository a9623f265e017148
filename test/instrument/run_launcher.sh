#!/usr/bin/env bash
# Launcher mode through the CMake function: a small project (mock torch, a
# mock flor::runtime) uses flor_instrument(TARGET). The training TU is
# compiled from its instrumented copy, the TU without a loop untouched, and a
# compile error points at the user's own file and line (#line directives),
# with the user's quote includes still found. flor_instrument() goes with
# either target_link_libraries signature, before or after it: the plain one of
# the LibTorch tutorials (train) and the keyword one (no_loop).
#   run_launcher.sh TOOL SOURCE_DIR
set -euo pipefail
tool=$(realpath "$1")
src=$(cd "$2" && pwd)
here=$src/test/instrument
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cat > "$tmp/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(launcher_test CXX)
set(CMAKE_CXX_STANDARD 17)
include($src/cmake/FlorInstrument.cmake)
add_library(flor_runtime INTERFACE)
target_include_directories(flor_runtime INTERFACE $here/mock)
add_library(flor::runtime ALIAS flor_runtime)
add_library(user_dep INTERFACE)
add_executable(train $here/launcher/train.cc)
target_link_libraries(train user_dep)
flor_instrument(train)
target_link_libraries(train user_dep)
add_executable(no_loop $here/launcher/no_loop.cc)
target_link_libraries(no_loop PRIVATE user_dep)
flor_instrument(no_loop)
target_link_libraries(no_loop PRIVATE user_dep)
add_executable(broken EXCLUDE_FROM_ALL $here/launcher/broken.cc)
flor_instrument(broken)
CMAKE
cmake -S "$tmp" -B "$tmp/b" -G Ninja -DFLOR_INSTRUMENT_EXECUTABLE="$tool" > "$tmp/configure.log" ||
  { cat "$tmp/configure.log"; fail "configure"; }
cmake --build "$tmp/b" > "$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; fail "build"; }
flor_cc=$(find "$tmp/b" -name 'train.cc.o.flor.cc')
[ -n "$flor_cc" ] || fail "no instrumented copy of train.cc"
grep -q 'flor::loop("epoch", 0, 3)' "$flor_cc" || fail "train.cc not instrumented: $(cat "$flor_cc")"
grep -q "^#line 2 \"$here/launcher/train.cc\"" "$flor_cc" || fail "no #line directive: $(head -3 "$flor_cc")"
[ -z "$(find "$tmp/b" -name 'no_loop.cc.o.flor.cc')" ] || fail "no_loop.cc was instrumented"
git -C "$src" diff --quiet -- "$here/launcher" || fail "the sources changed"

if cmake --build "$tmp/b" --target broken > "$tmp/broken.log" 2>&1; then fail "broken.cc compiled"; fi
grep -q "^$here/launcher/broken.cc:11:[0-9]*: error" "$tmp/broken.log" ||
  { cat "$tmp/broken.log"; fail "the error does not point at broken.cc:11"; }
grep -q "kEpochs" "$tmp/broken.log" && fail "helper.h was not found through the original directory"
echo "launcher: ok"
