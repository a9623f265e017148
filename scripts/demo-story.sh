#!/usr/bin/env bash
# The hindsight-logging story on the Fashion-MNIST example, as a user lives it:
#   1. a copy of the example is a user's own git + CMake project (find_package(flor));
#      `flor run` records a training run
#   2. in hindsight, the user adds a log statement to train.cc and rebuilds
#   3. `flor replay -j 2` fills the new log in from the checkpoints, in 2 workers
#   4. `flor show` prints the new column beside the recorded ones
# Needs a built tree (scripts/build). Called by scripts/demo; runs alone too.
# Env: FLOR_BUILD_DIR (default build/), EPOCHS (default 4), TRAIN_SIZE (default 5000).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FLOR_BUILD_DIR:-$root/build}
flor=$build/tools/flor/flor
work=$(mktemp -d /tmp/flor-demo-XXXXXX)
trap 'rm -rf "$work"' EXIT
export FLOR_HOME=$work/flor-home OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
export FLOR_FMNIST_CACHE=${FLOR_FMNIST_CACHE:-$build/fmnist-cache}
project=$work/project
# ccache keys relative to the project, so a second demo compiles from the cache.
export CCACHE_BASEDIR=$project CCACHE_NOHASHDIR=1
args=(--epochs "${EPOCHS:-4}" --train-size "${TRAIN_SIZE:-5000}" --test-size 1000)
step() { printf '\n== %s ==\n' "$*"; }

step "1. a user's project: the example with its own CMakeLists.txt (find_package(flor)), in git"
mkdir -p "$project/fashion_mnist"
cp "$root"/examples/fashion_mnist/{data.h,data.cc,model.h,model.cc,train.cc} "$project/fashion_mnist/"
cat > "$project/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(fmnist_demo C CXX)
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)  # flor replay reads it to find probed blocks
find_package(flor REQUIRED)
find_package(ZLIB REQUIRED)
add_library(fmnist STATIC fashion_mnist/data.cc fashion_mnist/model.cc)
target_include_directories(fmnist PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(fmnist PUBLIC torch PRIVATE ZLIB::ZLIB ${CMAKE_DL_LIBS})
add_executable(train fashion_mnist/train.cc)
target_link_libraries(train PRIVATE fmnist flor::runtime)
CMAKE
printf 'build/\n' > "$project/.gitignore"
cd "$project"
git init -q -b main && git add . && git -c user.name=demo -c user.email=demo@localhost commit -qm "training program"
echo "\$ cmake -B build -Dflor_DIR=$build && cmake --build build    # 3 files that include torch: ~45 s"
cmake -S . -B build -G Ninja -Dflor_DIR="$build" -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
cmake --build build >/dev/null
echo "\$ flor run fmnist -- ./build/train ${args[*]}"
"$flor" run fmnist -- ./build/train "${args[@]}"

step "2. in hindsight: log the norm of fc1's weights every epoch, rebuild"
sed -i 's|^\( *\)flor::log("test_acc", eval.accuracy);|&\n\1flor::log("fc1_weight_norm", model->fc1->weight.norm().item<double>());  // added in hindsight|' \
  fashion_mnist/train.cc
grep -q fc1_weight_norm fashion_mnist/train.cc
git --no-pager diff
echo "\$ cmake --build build"
cmake --build build >/dev/null

step "3. replay in 2 parallel workers (the batch loop is skipped: its state comes from checkpoints)"
echo "\$ flor replay fmnist -j 2"
"$flor" replay fmnist -j 2

step "4. the recorded logs and the new one, side by side"
echo "\$ flor show fmnist"
"$flor" show fmnist
echo
echo "\$ flor log fmnist"
"$flor" log fmnist
