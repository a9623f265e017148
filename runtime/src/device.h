// The device a run trains on, and the settings that make CUDA deterministic,
// recorded with the run (blob "device", docs/store-format.md); a replay
// refuses a record made on another device (kernels differ, so values would
// not reproduce bit for bit) unless told to tolerate it.
//
// On a machine without CUDA nothing here changes anything: the device is
// "cpu" and no setting is applied.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "state_set.h"
#include "store/store.h"
#include "util/status.h"

namespace flor::rt {

inline constexpr const char* kDeviceBlob = "device";

// The CUDA determinism settings in effect; `applied` false on a machine
// without CUDA (then nothing was applied).
struct CudaSettings {
  bool applied = false;
  bool deterministic_algorithms = false;
  bool cudnn_deterministic = false;
  bool cudnn_benchmark = false;
  std::string cublas_workspace_config;  // CUBLAS_WORKSPACE_CONFIG in effect ("" unset)
};

// When CUDA is available (torch::cuda::is_available()): deterministic
// algorithms (an op without a deterministic kernel is an error), cuDNN
// deterministic, benchmark off, and CUBLAS_WORKSPACE_CONFIG=:4096:8 in this
// process's environment unless it is set (the driver sets it for its
// programs: cuBLAS reads it when CUDA initialises). Nothing otherwise.
// Call before user code touches CUDA. Returns cuda_settings().
CudaSettings apply_cuda_determinism();
// What is in effect now (read back from LibTorch and the environment).
CudaSettings cuda_settings();

// "cuda" when CUDA is available and a registered tensor (model, optimizer,
// scalars) lives on a CUDA device; "cpu" otherwise.
std::string state_device(StateSet& state);

// The blob's JSON text: {"device": "cuda", "cuda": {"deterministic_algorithms": true,
// "cudnn_deterministic": true, "cudnn_benchmark": false, "cublas_workspace_config": ":4096:8"}}
// ("cuda" only when settings were applied).
std::string device_blob(const std::string& device, const CudaSettings& settings);
// The device a blob names; kCorrupt for a text that is not such an object.
Result<std::string> blob_device(const std::string& blob);

// Replay on `current` of record `record` made on `recorded`: OK when they are
// the same; otherwise kFailedPrecondition naming both and what to do.
Status check_device(int64_t record, const std::string& recorded, const std::string& current);

// At the main loop's start (the state is registered by then): writes run
// `run`'s blob (its device and cuda_settings()); a store that refuses it is a
// warning, not an error (training goes on). A replay (`replay_of`: the
// record) then compares with the record's blob: another device is
// kFailedPrecondition saying what to do, or with `tolerate` a warning on
// stderr; a record without the blob (an older flor) is not checked.
Status begin_device(store::Store& store, int64_t run, std::optional<int64_t> replay_of, bool tolerate,
                    StateSet& state);

}  // namespace flor::rt
