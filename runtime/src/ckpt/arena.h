// The staging arena: one reusable, pre-faulted host buffer that capture()
// copies state into. Fresh memory is slow on first touch (page faults plus the
// kernel zeroing pages), so the arena faults every page in when it grows, and
// is reused across checkpoints: steady-state captures run at memcpy speed.
// Not thread-safe; the engine hands it to the writer thread and back.
//
// For device state the arena is page-locked (pin_for_device): CUDA copies into
// page-locked memory run by DMA, asynchronously, at the link's speed.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/status.h"

namespace flor::rt {

class StagingArena {
 public:
  StagingArena() = default;
  ~StagingArena();
  StagingArena(const StagingArena&) = delete;
  StagingArena& operator=(const StagingArena&) = delete;

  // Ensures capacity() >= bytes, pre-faulting new memory. Growing drops the
  // old contents (the next capture rewrites everything anyway). kIo when the
  // OS refuses the memory.
  Status reserve(size_t bytes);
  // Page-locks the arena now and whenever it grows (cuda_rt.h). An error
  // leaves it unpinned (device copies then go through torch, synchronously).
  Status pin_for_device();
  bool pinned() const { return pinned_; }
  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t capacity() const { return capacity_; }

 private:
  uint8_t* data_ = nullptr;
  size_t capacity_ = 0;
  bool pinned_ = false;
};

}  // namespace flor::rt
