// CUDA's own environment variables that flor sets for training programs (not
// part of flor's contract, contract.h; listed in docs/env-contract.md). Shared
// by the driver (lib/replay/workers.h) and the runtime (runtime/src/device.h).
#pragma once

namespace flor {

// cuBLAS's workspace setting, read when CUDA initialises. The driver sets it
// for its programs unless the user did; the runtime sets it when CUDA is
// available and nobody did. ":4096:8" is one of the two values PyTorch
// documents for deterministic cuBLAS results. Ignored without CUDA.
inline constexpr const char* kEnvCublasWorkspace = "CUBLAS_WORKSPACE_CONFIG";
inline constexpr const char* kCublasWorkspaceDeterministic = ":4096:8";

}  // namespace flor
