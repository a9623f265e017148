#!/usr/bin/env bash
# flor::checkpoints or flor::locals on a type it cannot checkpoint fails to
# compile, with one message that says why and how to add a hook; supported
# types compile, and so do the loop and block forms with locals.
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
  double loss_sum = 0;
  torch::Tensor last;
  std::vector<int> batches{1, 2};
  for (int64_t e : flor::loop("epoch", 0, 2)) {
    for (int b : flor::loop("batch", batches, flor::locals(loss_sum, last, ts, a, ema, step))) loss_sum += b + e;
    for (int i : flor::loop("steps", 0, 3, flor::locals(loss_sum))) loss_sum += i;
    flor::block("train", [&] { loss_sum += 1; }, flor::locals(loss_sum, model));
    if (auto blk = flor::skip_block("eval", flor::locals(last))) last = torch::Tensor();
  }
#ifdef BAD_LOCAL
  std::map<int, int> lm;
  flor::block("train", [&] {}, flor::locals(loss_sum, lm));
#endif
#ifdef CONST_LOCAL
  const double c = 1;
  flor::block("train", [&] {}, flor::locals(c));
#endif
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
if "$CXX" "${flags[@]}" -DBAD_LOCAL "$dir/state.cc" 2> "$dir/err"; then
  echo "FAIL: std::map was accepted by flor::locals"; exit 1
fi
grep -q "flor::locals: unsupported type" "$dir/err" || { echo "FAIL: locals message:"; head -20 "$dir/err"; exit 1; }
grep -q "flor_state(YourType& x, flor::StateVisitor& v)" "$dir/err" || { echo "FAIL: no hint for locals"; exit 1; }
if grep -q "flor::checkpoints: unsupported type" "$dir/err"; then echo "FAIL: two messages for one local"; exit 1; fi
if "$CXX" "${flags[@]}" -DCONST_LOCAL "$dir/state.cc" 2> "$dir/err"; then
  echo "FAIL: a const local was accepted"; exit 1
fi
grep -q "flor::locals: a local must be mutable" "$dir/err" || { echo "FAIL: const message:"; head -20 "$dir/err"; exit 1; }
echo "runtime_static_assert: ok"
