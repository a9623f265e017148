#!/usr/bin/env bash
# The hindsight-logging story on the Fashion-MNIST example, end to end:
#   1. a copy of the example becomes a git project; `flor run` records it
#   2. the author adds log statements to the copy and rebuilds
#   3. `flor replay -j 2` fills the new logs in from the checkpoints
#   4. `flor show` prints them beside the recorded ones
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
args=(--epochs "${EPOCHS:-4}" --train-size "${TRAIN_SIZE:-5000}" --test-size 1000)
step() { printf '\n== %s ==\n' "$*"; }

step "1. a project: the example's train.cc in a git repository, built into build/"
project=$work/project
mkdir -p "$project/build"
cp "$root/examples/fashion_mnist/train.cc" "$project/"
printf 'build/\n' > "$project/.gitignore"
cp "$build/examples/fashion_mnist/train" "$project/build/train"
cd "$project"
git init -q -b main && git add . && git -c user.name=demo -c user.email=demo@localhost commit -qm "training program"
echo "\$ flor run fmnist -- ./build/train ${args[*]}"
"$flor" run fmnist -- ./build/train "${args[@]}"
"$flor" show fmnist

step "2. in hindsight: log the gradient and weight norms, rebuild"
# train.cc carries the statements under FMNIST_HINDSIGHT; defining it is the edit.
# The rebuild is the example's train_hindsight target (exactly this source
# compiled), which scripts/build has already built.
sed -i '1i #define FMNIST_HINDSIGHT' train.cc
git --no-pager diff --stat
grep -n 'flor::log("grad_norm"\|flor::log("weight_norm"' train.cc
cp "$build/examples/fashion_mnist/train_hindsight" build/train

step "3. replay in 2 parallel workers (the batch loop is skipped: its state comes from checkpoints)"
echo "\$ flor replay fmnist -j 2"
"$flor" replay fmnist -j 2

step "4. the recorded logs and the new ones, side by side"
echo "\$ flor show fmnist | head -n 12    # per-step rows (grad_norm) follow each epoch's row"
"$flor" show fmnist > "$work/show.txt"
head -n 12 "$work/show.txt"
echo "... ($(wc -l < "$work/show.txt") lines; flor show fmnist --format csv for every digit)"
echo
"$flor" log fmnist
git --no-pager status --short   # the user's files: only the edit
