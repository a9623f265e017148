#include "threads.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>

namespace flor::rt {
namespace {

template <typename F>
F openblas_fn(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_DEFAULT, name));
}

}  // namespace

ThreadCounts current_threads() {
  ThreadCounts t;
  t.torch = at::get_num_threads();
  t.interop = at::get_num_interop_threads();
  if (auto get = openblas_fn<int (*)()>("openblas_get_num_threads")) t.blas = get();
  return t;
}

void pin_threads(int torch_threads, int blas_threads) {
  if (torch_threads > 0 && at::get_num_threads() != torch_threads) at::set_num_threads(torch_threads);
  if (blas_threads > 0) {
    if (auto set = openblas_fn<void (*)(int)>("openblas_set_num_threads")) set(blas_threads);
  }
}

}  // namespace flor::rt
