#!/usr/bin/env bash
# cmake --install into a fresh prefix, then a user's project finds flor with
# find_package(flor), links flor::runtime, builds and runs; and the LibTorch
# tutorial's CMakeLists with flor_instrument() configures against the prefix
# (the plain target_link_libraries signature), compiling through the installed
# flor-instrument (package_build_tree.sh builds and runs that project).
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$FLOR_BUILD_DIR" --prefix "$tmp/prefix" >/dev/null
test -f "$tmp/prefix/lib/cmake/flor/florConfig.cmake"
test -f "$tmp/prefix/include/flor/flor.h"
cmake -S "$FLOR_SOURCE_DIR/test/package" -B "$tmp/build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
cmake --build "$tmp/build" >/dev/null
out=$("$tmp/build/train")
echo "$out"
grep -q "^flor [0-9.]*, sum 4.0$" <<<"$out"

if [ -x "$tmp/prefix/bin/flor-instrument" ]; then
  cmake -S "$FLOR_SOURCE_DIR/test/package/libtorch_tutorial" -B "$tmp/tutorial" -G Ninja \
    -DCMAKE_PREFIX_PATH="$tmp/prefix" > "$tmp/tutorial.log" 2>&1 || { cat "$tmp/tutorial.log"; exit 1; }
  grep -rqF --include="*.ninja" "$tmp/prefix/bin/flor-instrument" "$tmp/tutorial" ||
    { echo "FAIL: the tutorial project does not compile through the installed flor-instrument"; exit 1; }
fi
