#include "ckpt/arena.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ckpt/cuda_rt.h"

namespace flor::rt {
namespace {

constexpr size_t kGrain = size_t{2} << 20;  // capacity grows in 2 MiB steps

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

// Faults every page in now, not in the stall. MADV_POPULATE_WRITE (Linux
// 5.14) does it in one call; older kernels get one touch per page.
void prefault(void* p, size_t len) {
#ifdef MADV_POPULATE_WRITE
  if (::madvise(p, len, MADV_POPULATE_WRITE) == 0) return;
#endif
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  auto* bytes = static_cast<volatile uint8_t*>(p);
  for (size_t off = 0; off < len; off += page) bytes[off] = 0;
}

// Unmaps an old buffer, unpinning it first.
void release(uint8_t* p, size_t n, bool pinned) {
  if (p == nullptr) return;
  if (pinned) cuda::unpin(p);
  ::munmap(p, n);
}

}  // namespace

StagingArena::~StagingArena() { release(data_, capacity_, pinned_); }

Status StagingArena::pin_for_device() {
  if (pinned_) return Status();
  if (data_ != nullptr) FLOR_RETURN_IF_ERROR(cuda::pin(data_, capacity_));
  pinned_ = true;
  return Status();
}

Status StagingArena::reserve(size_t bytes) {
  if (bytes <= capacity_) return Status();
  // Grow by at least 1/8 so a state that creeps up does not re-fault each time.
  const size_t want = round_up(bytes > capacity_ + capacity_ / 8 ? bytes : capacity_ + capacity_ / 8,
                               kGrain);
  void* p = ::mmap(nullptr, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    return io_error("cannot allocate a " + std::to_string(want >> 20) +
                    " MiB checkpoint staging buffer: " + std::strerror(errno));
  }
  // No MADV_HUGEPAGE: with THP in "madvise" mode it makes the kernel compact
  // memory on the spot, and the first capture stalled up to 360 ms for 113 MB
  // (43-47 ms without); steady-state stalls measured the same either way.
  prefault(p, want);
  const bool was_pinned = pinned_;
  if (pinned_) {
    if (Status s = cuda::pin(p, want); !s.ok()) {
      ::munmap(p, want);
      return s.with_context("page-locking the checkpoint staging buffer");
    }
  }
  release(data_, capacity_, was_pinned);
  data_ = static_cast<uint8_t*>(p);
  capacity_ = want;
  return Status();
}

}  // namespace flor::rt
