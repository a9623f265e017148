#!/usr/bin/env bash
# The checkpoint policy under other processes' load: the Fashion-MNIST example
# recorded with the default budget on an otherwise idle machine and beside BUSY
# busy loops, alternating, RUNS records each; prints the checkpoints each record
# took. Goal: the same count either way (other processes' load must not be
# blamed on flor, one-time set-up must not be charged to a checkpoint).
#   bench/policy_load.sh BUILD_DIR [RUNS] [BUSY] [EPOCHS] [TRAIN_SIZE]
set -euo pipefail
build=$(cd "${1:?usage: bench/policy_load.sh BUILD_DIR [RUNS] [BUSY] [EPOCHS]}" && pwd)
runs=${2:-3} busy=${3:-4} epochs=${4:-8} train_size=${5:-20000}
flor=$build/tools/flor/flor
train=$build/examples/fashion_mnist/train
[ -x "$flor" ] && [ -x "$train" ] || { echo "build flor and the example first" >&2; exit 2; }
work=$(mktemp -d)
pids=()
cleanup() { [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
export FLOR_HOME=$work/home OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
git init -q "$work/repo" && cd "$work/repo"
git -c user.name=bench -c user.email=bench@localhost commit -q --allow-empty -m start

# NAME: records the example as experiment NAME; prints its checkpoint count.
record() {
  "$flor" run "$1" -- "$train" --epochs "$epochs" --train-size "$train_size" --test-size 500 > "$work/$1.out" 2>&1 ||
    { echo "record $1 failed: $(tail -5 "$work/$1.out")" >&2; exit 1; }
  "$flor" dump "$1" | sed -n 's/^checkpoints: //p'
}

idle=() loaded=()
for ((i = 0; i < runs; i++)); do
  idle+=("$(record "idle$i")")
  pids=()
  for ((b = 0; b < busy; b++)); do (while :; do :; done) & pids+=($!); done
  loaded+=("$(record "busy$i")")
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  pids=()
done
echo "checkpoints taken of $epochs epochs (default eps): idle ${idle[*]}; beside $busy busy loops ${loaded[*]}" \
     "(goal: the same)"
[ "${idle[*]}" = "${loaded[*]}" ]
