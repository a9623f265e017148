// What differs between the LibTorch versions flor builds against: Debian's
// 1.13 (CI, the development machines) and the 2.x inside a pip PyTorch (the
// GPU check, scripts/gpu-check). Everything version-dependent lives here, so
// the rest of the runtime is one code for both; a function picks its variant
// from the types LibTorch declares, not from version macros.
#pragma once

#include <ATen/Context.h>
#include <ATen/core/Tensor.h>

#include <sstream>
#include <string>
#include <type_traits>

namespace flor::rt::compat {

// The key of parameter `p` in `o.state()`: 1.13 keys the map by the text of
// the parameter's TensorImpl address (c10::guts::to_string, gone in 2.x),
// 2.x by the address itself (void*). A template so that only the variant
// that matches the installed header is compiled.
template <typename Optimizer>
auto optimizer_state_key(Optimizer& o, const at::Tensor& p) {
  using Key = typename std::decay_t<decltype(o.state())>::key_type;
  void* impl = p.unsafeGetTensorImpl();
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream text;  // what c10::guts::to_string wrote
    text << impl;
    return text.str();
  } else {
    return static_cast<Key>(impl);
  }
}

// PyTorch's documented settings for reproducible CUDA results (the same
// calls in 1.13 and 2.x): deterministic algorithms, an error (not a
// warning) for an op that has none; cuDNN deterministic, no benchmarking.
inline void set_cuda_deterministic() {
  at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/false);
  at::globalContext().setDeterministicCuDNN(true);
  at::globalContext().setBenchmarkCuDNN(false);
}

struct CudaDeterminism {
  bool algorithms = false;
  bool cudnn_deterministic = false;
  bool cudnn_benchmark = false;
};

// What is in effect now (read back, so the record says what was applied).
inline CudaDeterminism cuda_determinism() {
  auto& ctx = at::globalContext();
  return {ctx.deterministicAlgorithms(), ctx.deterministicCuDNN(), ctx.benchmarkCuDNN()};
}

}  // namespace flor::rt::compat
