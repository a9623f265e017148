#include "rng.h"

#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/cuda.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

namespace flor::rt {
namespace {

constexpr const char* kCpuKey = "rng/cpu";
constexpr const char* kCudaPrefix = "rng/cuda";

at::Tensor state_of(at::Generator gen) {
  std::lock_guard<std::mutex> lock(gen.mutex());
  return gen.get_state();
}

Status set_state_of(at::Generator gen, const at::Tensor& state) {
  try {
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(state);
  } catch (const std::exception& e) {
    return corrupt(std::string("cannot set generator state: ") + e.what());
  }
  return Status();
}

int cuda_devices() { return torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0; }

// Test-only (scripts/gpu-check's negative control, docs/env-contract.md): "1"
// leaves the CUDA generators as they are on restore, so a replay whose
// dropout draws on the GPU must diverge.
bool skip_cuda_restore() {
  const char* v = std::getenv("FLOR_TEST_SKIP_CUDA_RNG");
  return v && std::strcmp(v, "1") == 0;
}

}  // namespace

std::string cpu_rng_bytes() {
  at::Tensor s = state_of(at::detail::getDefaultCPUGenerator());
  return std::string(static_cast<const char*>(s.data_ptr()), static_cast<size_t>(s.numel()));
}

Status set_cpu_rng_bytes(const std::string& bytes) {
  at::Tensor s = at::empty({static_cast<int64_t>(bytes.size())}, at::kByte);
  std::memcpy(s.data_ptr(), bytes.data(), bytes.size());
  return set_state_of(at::detail::getDefaultCPUGenerator(), s);
}

void rng_items(std::vector<StateItem>& out) {
  out.push_back({kCpuKey, state_of(at::detail::getDefaultCPUGenerator())});
  for (int i = 0; i < cuda_devices(); ++i) {
    out.push_back({kCudaPrefix + std::to_string(i),
                   state_of(at::globalContext().defaultGenerator(at::Device(at::kCUDA, static_cast<int8_t>(i))))});
  }
}

Status set_rng_item(const StateItem& item) {
  if (item.key == kCpuKey) return set_state_of(at::detail::getDefaultCPUGenerator(), item.tensor);
  if (item.key.rfind(kCudaPrefix, 0) == 0) {
    int i = std::atoi(item.key.c_str() + std::strlen(kCudaPrefix));
    if (i >= cuda_devices() || skip_cuda_restore()) return Status();  // recorded on a machine with more devices
    return set_state_of(at::globalContext().defaultGenerator(at::Device(at::kCUDA, static_cast<int8_t>(i))),
                        item.tensor);
  }
  return invalid_argument("not a generator key: " + item.key);
}

}  // namespace flor::rt
