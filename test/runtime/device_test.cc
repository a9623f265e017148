// The device a run trains on (runtime/src/device.h): the blob's text both
// ways, the replay's device check, the device of registered state, and that
// on a machine without CUDA the determinism settings change nothing and the
// CUDA runtime binding (ckpt/cuda_rt.h) refuses cleanly.
#include "torch_catch.h"

#include <torch/cuda.h>

#include <cstdlib>

#include <flor/flor.h>

#include "ckpt/arena.h"
#include "ckpt/cuda_rt.h"
#include "device.h"
#include "store/cuda_env.h"

namespace flor::rt {
namespace {

TEST_CASE("device blob: written and read back; cuda settings only when applied", "[runtime][device]") {
  CHECK(device_blob("cpu", CudaSettings{}) == R"({"device":"cpu"})");
  CudaSettings s{true, true, true, false, ":4096:8"};
  const std::string cuda = device_blob("cuda", s);
  CHECK(cuda == R"({"cuda":{"cublas_workspace_config":":4096:8","cudnn_benchmark":false,)"
                R"("cudnn_deterministic":true,"deterministic_algorithms":true},"device":"cuda"})");
  CHECK(*blob_device(cuda) == "cuda");
  CHECK(*blob_device(R"({"device":"cpu"})") == "cpu");
  for (const char* bad : {"", "cuda", "[]", R"({"device":3})", R"({"dev":"cpu"})"}) {
    auto r = blob_device(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kCorrupt);
    CHECK(r.status().message().find("blob 'device'") != std::string::npos);
  }
}

TEST_CASE("device check: the same device passes, another is refused naming both", "[runtime][device]") {
  CHECK(check_device(4, "cpu", "cpu").ok());
  CHECK(check_device(4, "cuda", "cuda").ok());
  Status s = check_device(4, "cuda", "cpu");
  CHECK(s.code() == Code::kFailedPrecondition);
  CHECK(s.message() == "run 4 was recorded on cuda but this replay runs on cpu: kernels differ between devices, "
                       "so its values would not reproduce bit for bit");
  CHECK_FALSE(check_device(4, "cpu", "cuda").ok());
}

TEST_CASE("device of the registered state: cpu tensors are cpu", "[runtime][device]") {
  torch::nn::Linear model(3, 2);
  torch::optim::SGD opt(model->parameters(), torch::optim::SGDOptions(0.1));
  StateSet state;
  CHECK(state_device(state) == "cpu");  // nothing registered
  state.add(&model, "linear", &flor::detail::visit_erased<torch::nn::Linear>);
  state.add(&opt, "sgd", &flor::detail::visit_erased<torch::optim::SGD>);
  CHECK(state_device(state) == "cpu");  // the model is on the CPU whatever the machine
  if (torch::cuda::is_available()) {
    model->to(torch::kCUDA);
    CHECK(state_device(state) == "cuda");
  }
}

TEST_CASE("cuda determinism: without CUDA nothing is applied and nothing changes", "[runtime][device]") {
  if (torch::cuda::is_available()) {
    CudaSettings s = apply_cuda_determinism();
    CHECK(s.applied);
    CHECK(s.deterministic_algorithms);
    CHECK(s.cudnn_deterministic);
    CHECK_FALSE(s.cudnn_benchmark);
    CHECK(!s.cublas_workspace_config.empty());
    return;
  }
  ::unsetenv(kEnvCublasWorkspace);
  const bool before = at::globalContext().deterministicAlgorithms();
  const bool cudnn_before = at::globalContext().deterministicCuDNN();
  const bool bench_before = at::globalContext().benchmarkCuDNN();
  CudaSettings s = apply_cuda_determinism();
  CHECK_FALSE(s.applied);
  CHECK(device_blob("cpu", s) == R"({"device":"cpu"})");
  CHECK(at::globalContext().deterministicAlgorithms() == before);
  CHECK(at::globalContext().deterministicCuDNN() == cudnn_before);
  CHECK(at::globalContext().benchmarkCuDNN() == bench_before);
  CHECK(std::getenv(kEnvCublasWorkspace) == nullptr);
}

TEST_CASE("cuda runtime binding: without CUDA it refuses and the staging arena stays as it was", "[runtime][device]") {
  if (torch::cuda::is_available()) {
    CHECK(cuda::available());  // a CUDA LibTorch has libcudart loaded
    return;
  }
  CHECK_FALSE(cuda::available());
  uint8_t byte = 0;
  CHECK(cuda::pin(&byte, 1).code() == Code::kFailedPrecondition);
  CHECK(cuda::copy_async(&byte, &byte, 1, 0).code() == Code::kFailedPrecondition);
  CHECK(cuda::copy_sync(&byte, &byte, 1).code() == Code::kFailedPrecondition);
  CHECK(cuda::wait_copies().ok());  // nothing queued
  StagingArena arena;
  REQUIRE(arena.reserve(1 << 20).ok());
  CHECK_FALSE(arena.pin_for_device().ok());
  CHECK_FALSE(arena.pinned());
  REQUIRE(arena.reserve(8 << 20).ok());  // grows as an unpinned arena
  CHECK_FALSE(arena.pinned());
}

}  // namespace
}  // namespace flor::rt
