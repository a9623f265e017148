#!/usr/bin/env bash
# flor::checkpoints on a type it cannot checkpoint fails to compile, with a
# message that says why and how to add a hook; supported types compile.
set -euo pipefail
: "${FLOR_SOURCE_DIR:?set by ctest}"
CXX=${CXX:-c++}
command -v "$CXX" >/dev/null || { echo "skip: no C++ compiler"; exit 77; }
[ -d /usr/include/torch/csrc/api/include ] || { echo "skip: LibTorch headers not found"; exit 77; }
dir=$(mktemp -d /tmp/flor-sa-XXXXXX)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/state.cc" <<'CC'
#include <flor/flor.h>
#include <map>
#include <torch/nn/modules/linear.h>
#include <torch/optim/sgd.h>
struct Ema { torch::Tensor avg; double decay = 0.9; };
void flor_state(Ema& e, flor::StateVisitor& v) { v("avg", e.avg); v("decay", e.decay); }
int main() {
  torch::nn::Linear model(2, 2);
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  int64_t step = 0;
  std::vector<torch::Tensor> ts;
  std::array<float, 3> a{};
  Ema ema;
  flor::checkpoints(model, sgd, step, ts, a, ema);
#ifdef BAD
  std::map<int, int> m;
  flor::checkpoints(model, m);
#endif
}
CC
flags=(-std=c++17 -fsyntax-only -I"$FLOR_SOURCE_DIR/runtime/include" -isystem /usr/include/torch/csrc/api/include)
"$CXX" "${flags[@]}" "$dir/state.cc" || { echo "FAIL: supported types do not compile"; exit 1; }
if "$CXX" "${flags[@]}" -DBAD "$dir/state.cc" 2> "$dir/err"; then
  echo "FAIL: std::map was accepted by flor::checkpoints"; exit 1
fi
grep -q "flor::checkpoints: unsupported type" "$dir/err" || { echo "FAIL: message:"; head -20 "$dir/err"; exit 1; }
grep -q "flor_state(YourType& x, flor::StateVisitor& v)" "$dir/err" || { echo "FAIL: no hint"; exit 1; }
echo "runtime_static_assert: ok"
