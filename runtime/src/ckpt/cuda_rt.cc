#include "ckpt/cuda_rt.h"

#include <dlfcn.h>

#include <mutex>
#include <string>
#include <vector>

namespace flor::rt::cuda {
namespace {

// The CUDA runtime's C API, as declared in cuda_runtime_api.h (cudaError_t is
// an int enum, cudaStream_t a pointer).
using Stream = void*;
constexpr int kSuccess = 0;
constexpr unsigned kHostRegisterPortable = 0x01;
constexpr int kMemcpyDeviceToHost = 2;

struct Api {
  int (*get_device_count)(int*) = nullptr;
  int (*get_device)(int*) = nullptr;
  int (*set_device)(int) = nullptr;
  int (*host_register)(void*, size_t, unsigned) = nullptr;
  int (*host_unregister)(void*) = nullptr;
  int (*stream_create)(Stream*) = nullptr;
  int (*stream_synchronize)(Stream) = nullptr;
  int (*memcpy_async)(void*, const void*, size_t, int, Stream) = nullptr;
  int (*memcpy_sync)(void*, const void*, size_t, int) = nullptr;
  const char* (*error_string)(int) = nullptr;
  bool ok = false;
};

template <typename F>
bool bind(void* lib, const char* name, F* fn) {
  *fn = reinterpret_cast<F>(::dlsym(lib, name));
  return *fn != nullptr;
}

bool bind_all(void* lib, Api* a) {
  return bind(lib, "cudaGetDeviceCount", &a->get_device_count) && bind(lib, "cudaGetDevice", &a->get_device) &&
         bind(lib, "cudaSetDevice", &a->set_device) && bind(lib, "cudaHostRegister", &a->host_register) &&
         bind(lib, "cudaHostUnregister", &a->host_unregister) &&
         bind(lib, "cudaStreamCreate", &a->stream_create) &&
         bind(lib, "cudaStreamSynchronize", &a->stream_synchronize) &&
         bind(lib, "cudaMemcpyAsync", &a->memcpy_async) && bind(lib, "cudaMemcpy", &a->memcpy_sync) &&
         bind(lib, "cudaGetErrorString", &a->error_string);
}

// The libcudart already in the process (a CUDA LibTorch's), else one by its
// usual names; none: not available.
const Api& api() {
  static const Api kApi = [] {
    Api out;
    bool bound = bind_all(RTLD_DEFAULT, &out);
    for (const char* name : {"libcudart.so.12", "libcudart.so.11.0", "libcudart.so"}) {
      if (bound) break;
      if (void* lib = ::dlopen(name, RTLD_NOW | RTLD_LOCAL)) bound = bind_all(lib, &out);
    }
    int n = 0;
    out.ok = bound && out.get_device_count(&n) == kSuccess && n > 0;
    return out;
  }();
  return kApi;
}

Status check(int err, const char* what) {
  if (err == kSuccess) return Status();
  return internal_error(std::string(what) + ": " + api().error_string(err));
}

// One side stream per device, made on first use and kept for the process's
// life (destroying it at exit could run after libcudart is torn down).
struct Streams {
  std::mutex mu;
  std::vector<Stream> by_device;
  std::vector<bool> pending;
};
Streams& streams() {
  static auto* s = new Streams;
  return *s;
}

// Runs `f` with `device` current, restoring the caller's device.
template <typename F>
Status on_device(int device, F f) {
  const Api& a = api();
  int was = 0;
  FLOR_RETURN_IF_ERROR(check(a.get_device(&was), "cudaGetDevice"));
  if (was != device) FLOR_RETURN_IF_ERROR(check(a.set_device(device), "cudaSetDevice"));
  Status s = f();
  if (was != device) (void)a.set_device(was);
  return s;
}

}  // namespace

bool available() { return api().ok; }

Status pin(void* p, size_t n) {
  if (!available()) return failed_precondition("no CUDA runtime in this process");
  return check(api().host_register(p, n, kHostRegisterPortable), "cudaHostRegister");
}

void unpin(void* p) {
  if (available()) (void)api().host_unregister(p);
}

Status copy_async(void* dst, const void* src, size_t n, int device) {
  if (!available()) return failed_precondition("no CUDA runtime in this process");
  if (device < 0) return invalid_argument("copy_async: not a device pointer");
  Streams& s = streams();
  std::lock_guard<std::mutex> lock(s.mu);
  const auto d = static_cast<size_t>(device);
  if (s.by_device.size() <= d) {
    s.by_device.resize(d + 1, nullptr);
    s.pending.resize(d + 1, false);
  }
  return on_device(device, [&]() -> Status {
    if (s.by_device[d] == nullptr) {
      FLOR_RETURN_IF_ERROR(check(api().stream_create(&s.by_device[d]), "cudaStreamCreate"));
    }
    FLOR_RETURN_IF_ERROR(check(api().memcpy_async(dst, src, n, kMemcpyDeviceToHost, s.by_device[d]),
                               "cudaMemcpyAsync device to host"));
    s.pending[d] = true;
    return Status();
  });
}

Status wait_copies() {
  Streams& s = streams();
  std::lock_guard<std::mutex> lock(s.mu);
  Status first;
  for (size_t d = 0; d < s.by_device.size(); ++d) {
    if (!s.pending[d]) continue;
    s.pending[d] = false;
    Status st = check(api().stream_synchronize(s.by_device[d]), "cudaStreamSynchronize");
    if (first.ok()) first = st;
  }
  return first;
}

Status copy_sync(void* dst, const void* src, size_t n) {
  if (!available()) return failed_precondition("no CUDA runtime in this process");
  return check(api().memcpy_sync(dst, src, n, kMemcpyDeviceToHost), "cudaMemcpy device to host");
}

}  // namespace flor::rt::cuda
