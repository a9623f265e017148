#include "device.h"

#include <nlohmann/json.hpp>
#include <torch/cuda.h>

#include <cstdlib>

#include "store/cuda_env.h"
#include "warn.h"
#include "torch_compat.h"

namespace flor::rt {

CudaSettings apply_cuda_determinism() {
  CudaSettings s;
  if (!torch::cuda::is_available()) return s;
  // Before any cuBLAS handle exists; a value the user chose is kept (and recorded).
  ::setenv(kEnvCublasWorkspace, kCublasWorkspaceDeterministic, /*overwrite=*/0);
  compat::set_cuda_deterministic();
  return cuda_settings();
}

CudaSettings cuda_settings() {
  CudaSettings s;
  if (!torch::cuda::is_available()) return s;
  const compat::CudaDeterminism now = compat::cuda_determinism();
  s.applied = true;
  s.deterministic_algorithms = now.algorithms;
  s.cudnn_deterministic = now.cudnn_deterministic;
  s.cudnn_benchmark = now.cudnn_benchmark;
  const char* ws = std::getenv(kEnvCublasWorkspace);
  s.cublas_workspace_config = ws ? ws : "";
  return s;
}

std::string state_device(StateSet& state) {
  if (!torch::cuda::is_available()) return "cpu";
  for (const StateItem& item : state.capture_items()) {
    if (item.tensor.defined() && item.tensor.is_cuda()) return "cuda";
  }
  return "cpu";
}

std::string device_blob(const std::string& device, const CudaSettings& settings) {
  nlohmann::json j = {{"device", device}};
  if (settings.applied) {
    j["cuda"] = {{"deterministic_algorithms", settings.deterministic_algorithms},
                 {"cudnn_deterministic", settings.cudnn_deterministic},
                 {"cudnn_benchmark", settings.cudnn_benchmark},
                 {"cublas_workspace_config", settings.cublas_workspace_config}};
  }
  return j.dump();
}

Result<std::string> blob_device(const std::string& blob) {
  auto j = nlohmann::json::parse(blob, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("device") || !j["device"].is_string()) {
    return corrupt("blob '" + std::string(kDeviceBlob) + "' is not {\"device\": \"...\", ...}: " + blob);
  }
  return j["device"].get<std::string>();
}

Status check_device(int64_t record, const std::string& recorded, const std::string& current) {
  if (recorded == current) return Status();
  return failed_precondition("run " + std::to_string(record) + " was recorded on " + recorded +
                             " but this replay runs on " + current +
                             ": kernels differ between devices, so its values would not reproduce bit for bit");
}

Status begin_device(store::Store& store, int64_t run, std::optional<int64_t> replay_of, bool tolerate,
                    StateSet& state) {
  const std::string device = state_device(state);
  // A store that refuses writes (a full disk, a server gone) does not stop training: the logs are held, and
  // a record without the blob is not checked on replay.
  if (Status s = store.put_blob(run, kDeviceBlob, device_blob(device, cuda_settings())); !s.ok())
    warnings().warn("flor: warning: cannot store the run's device ({}): {}", device, s.to_string());
  if (!replay_of) return Status();
  auto recorded = store.blob(*replay_of, kDeviceBlob);
  if (!recorded.ok()) return recorded.status().code() == Code::kNotFound ? Status() : recorded.status();
  FLOR_ASSIGN_OR_RETURN(std::string was, blob_device(*recorded));
  Status same = check_device(*replay_of, was, device);
  if (same.ok()) return same;
  if (tolerate) {
    warnings().warn("flor: warning: {}; replaying anyway (--tolerate): differences are reported, not errors",
                    same.message());
    return Status();
  }
  return failed_precondition("replay refused: " + same.message() + ". Replay where the record ran (the model on " +
                             was + "), or pass --tolerate (FLOR_TOLERATE=1) to replay anyway and have the "
                             "differences reported");
}

}  // namespace flor::rt
