// The few CUDA runtime calls the GPU capture path makes: page-locking the
// staging arena and copying device tensors into it on a side stream.
//
// Bound by name at run time (dlsym), not through the CUDA headers: Debian's
// LibTorch is CPU-only and ships none, and a pip PyTorch brings libcudart but
// not always its headers. With a CUDA LibTorch the process has libcudart loaded
// already (libtorch_cuda needs it), so these are its functions and its primary
// contexts; without one, available() is false and the CPU paths run as before.
//
// Ordering: each device gets one side stream created with cudaStreamCreate, a
// blocking stream, so CUDA orders it against the legacy default stream that
// LibTorch runs kernels on: a copy starts after the kernels queued before it
// (the values are final) and kernels queued after it wait for it (the tensors
// do not change under it). A program that runs its training on streams of its
// own must synchronise them before an epoch ends (docs/replay.md, Devices).
#pragma once

#include <cstddef>

#include "util/status.h"

namespace flor::rt::cuda {

// True when libcudart's functions are in the process (a CUDA LibTorch) and a
// device is visible.
bool available();

// Page-locks [p, p + n) for DMA (cudaHostRegister, portable to every device).
Status pin(void* p, size_t n);
// Undoes pin(); errors are ignored (the process may be exiting).
void unpin(void* p);

// Queues a device-to-host copy of n bytes from `src` (memory of `device`) to
// pinned `dst` on that device's side stream; returns at once.
Status copy_async(void* dst, const void* src, size_t n, int device);
// Waits until every copy queued so far has finished (any thread).
Status wait_copies();

// One synchronous cudaMemcpy device-to-host: the benchmark's floor.
Status copy_sync(void* dst, const void* src, size_t n);

}  // namespace flor::rt::cuda
