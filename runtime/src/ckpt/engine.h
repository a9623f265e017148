// The checkpoint engine: the record path's hot spot.
//
// capture() is the training loop's stall: it copies the given tensors into a
// reusable, pre-faulted staging arena (memcpy speed) and returns. A low-priority
// background thread then hashes, deduplicates and writes the checkpoint (own
// format, docs/checkpoint-format.md: header + raw tensor bytes, checksummed,
// content-addressed per tensor so unchanged tensors are stored once; temp file,
// fsync, rename: a crash leaves a whole checkpoint or none). At most one write
// is unfinished: capture() waits for the previous one first.
//
// Device state: with a CUDA LibTorch, contiguous CUDA tensors are copied into
// the page-locked arena asynchronously on a side stream (ckpt/cuda_rt.h says
// how they are ordered against training), so capture() returns after queueing
// them; the writer waits for the copies before it reads the arena.
//
// restore() reads a checkpoint straight into existing tensors' storage.
//
// Thread-safety: one engine per training process, used from the training thread.
// The `done` callback runs on the writer thread; it must not call capture() or
// wait() (that would deadlock), and should be quick.
//
// Writer priority: the writer thread runs SCHED_BATCH at nice 10 with I/O
// priority best-effort/7. Not SCHED_IDLE: when training keeps both cores busy,
// an idle-class writer can starve until the next capture, which then stalls
// waiting for it, turning background work back into stall.
//
// The format, the writer and garbage collection are torch-free: lib/ckpt.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ckpt/format.h"
#include "util/env.h"
#include "util/status.h"

namespace flor::rt {

using ckpt::CheckpointOrigin;

// Gives the calling thread the priority the engine's writer thread runs at
// (SCHED_BATCH, nice 10, I/O best-effort/7; best effort: a thread that cannot
// lower its priority still runs). Public so that a benchmark can run its
// baseline at the same priority.
void lower_background_priority();

// Test seam, for the torch test binaries only (not in the public API): every
// CheckpointEngine made after this call writes its files through `env` (a
// FaultEnv, lib/util/fault_env.h), which must outlive them; nullptr: POSIX
// again. Not thread-safe: call while no engine is being made.
void set_checkpoint_env_for_testing(Env* env);

// One tensor of state, named by a stable key ("model/fc1.weight",
// "optim/0/exp_avg", "rng/cpu"). Keys are unique within a checkpoint.
struct StateItem {
  std::string key;
  at::Tensor tensor;
};

// Whether a capture of `items` copies device tensors asynchronously (contiguous
// CUDA tensors, with the CUDA runtime in the process): its arena is page-locked.
bool has_device_state(const std::vector<StateItem>& items);

struct WriteReport {
  Status status;                 // a failed write (disk full, permission) is reported, not thrown
  std::string path;              // the checkpoint file (absolute)
  int64_t state_bytes = 0;       // bytes captured
  int64_t bytes_written = 0;     // bytes newly written to disk (after dedup)
  double write_seconds = 0;      // wall time of the background write
  double write_cpu_seconds = 0;  // CPU time the writer thread spent on it (interference)
  // From the capture's start until the whole state was in host memory: the
  // stall's copy for host state; for device state copied asynchronously
  // (device_copies), until the last copy finished.
  double copy_seconds = 0;
  bool device_copies = false;
};

class CheckpointEngine {
 public:
  // dir: where checkpoints and their content-addressed tensor blobs go
  // (FLOR_HOME/NAME/ckpt). Created when missing.
  explicit CheckpointEngine(const std::string& dir);
  ~CheckpointEngine();  // waits for the pending write
  CheckpointEngine(const CheckpointEngine&) = delete;
  CheckpointEngine& operator=(const CheckpointEngine&) = delete;

  // Copies `items` into the staging arena (CUDA tensors: see above) and
  // queues the write of checkpoint `name` (a file name inside dir, e.g.
  // "run3-e0007-s0.ckpt"). Waits first for the previous write. Returns the stall
  // in seconds (wait + copy). `done` runs on the writer thread when the file is
  // durable or the write failed. `origin` (the run, epoch and block the state
  // belongs to) goes into the manifest; without one the manifest is written
  // in the version-1 layout, which has none.
  Result<double> capture(const std::vector<StateItem>& items, const std::string& name,
                         std::function<void(const WriteReport&)> done,
                         std::optional<CheckpointOrigin> origin = std::nullopt);

  // Pre-faults the staging arena for `bytes` of state, so the first capture
  // does not pay for fresh memory (capture grows it anyway when needed).
  Status reserve(int64_t bytes);
  // The same on the writer thread, off the training loop: returns at once; the
  // next capture waits for it as for a write. For when the state is known
  // (its registration), long before the first checkpoint. `device`: the state
  // has device tensors (has_device_state), so the arena is page-locked too.
  void prepare(int64_t bytes, bool device = false);
  // Seconds the last capture spent growing the arena (fresh memory faulted in:
  // a one-time set-up, not a cost of every checkpoint); 0 when it fit.
  double last_setup_seconds() const;

  // Blocks until no write is pending.
  void wait();
  // True while a background write is running (the policy measures interference).
  bool busy() const;

  // Reads checkpoint `path`, verifies every checksum, and copies each stored
  // tensor into the item with the same key (dtype and shape must match; a
  // missing key is an error). kCorrupt errors name the file.
  static Status restore(const std::string& path, const std::vector<StateItem>& items);
  // Keys, dtypes and shapes stored in a checkpoint, for creating state that
  // does not exist yet (optimizer state before its first step).
  struct Entry {
    std::string key;
    at::ScalarType dtype;
    std::vector<int64_t> shape;
  };
  static Result<std::vector<Entry>> list(const std::string& path);
  // Verifies the checkpoint without loading it into tensors. With `expected`,
  // a manifest that names another origin is kCorrupt too (a file copied or
  // renamed over this one); a version-1 manifest names none and passes.
  static Status verify(const std::string& path, const CheckpointOrigin* expected = nullptr);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flor::rt
