// XXH64 (Yann Collet's xxHash, 64-bit variant), implemented here so the
// checkpoint format needs no new dependency. It is both the content address of
// a tensor blob and its checksum: ~10 GB/s on one core, so hashing 120 MB costs
// ~12 ms on the writer thread. Output matches the reference implementation
// (test vectors in test/runtime/ckpt_test.cc). No torch here: the format code
// must stay usable by the driver (flor gc) without LibTorch.
#pragma once

#include <cstddef>
#include <cstdint>

namespace flor::rt {

// One-shot hash of `len` bytes.
uint64_t xxh64(const void* data, size_t len, uint64_t seed = 0);

// Streaming hash: update() any number of times, digest() at the end gives the
// same value as xxh64() over the concatenated bytes. Not thread-safe.
class Xxh64 {
 public:
  explicit Xxh64(uint64_t seed = 0);
  void update(const void* data, size_t len);
  // update(src, len) that also copies the bytes to dst, in one pass: the
  // copy rides along with the hash's loads (restore reads and checks at once).
  void update_copy(void* dst, const void* src, size_t len);
  uint64_t digest() const;

 private:
  uint64_t acc_[4];
  uint64_t seed_;
  uint64_t total_len_ = 0;
  unsigned char buf_[32];
  size_t buf_len_ = 0;
};

}  // namespace flor::rt
