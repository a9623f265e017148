// Hashing, no product code. XXH64 (Yann Collet's xxHash, 64-bit variant),
// implemented here so the checkpoint format needs no new dependency: it is both
// the content address of a tensor blob and its checksum, ~10 GB/s on one core.
// Output matches the reference implementation (test vectors in
// test/unit/util_hash_test.cc). FNV-1a for short stable ids (a sweep's run
// names, the probe cache's keys) and value fingerprints.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace flor {

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

// 64-bit FNV-1a of `len` bytes. `basis` is the standard offset basis unless a
// caller must keep values it wrote with another one.
inline constexpr uint64_t kFnv1aBasis = 14695981039346656037ull;
uint64_t fnv1a64(const void* data, size_t len, uint64_t basis = kFnv1aBasis);
// fnv1a64 of `data` as 16 lowercase hex digits: stable across runs and machines.
std::string fnv1a_hex(const std::string& data);

}  // namespace flor
