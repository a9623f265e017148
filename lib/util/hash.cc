#include "util/hash.h"

#include <algorithm>
#include <cstring>

#include "util/hex.h"

namespace flor {
namespace {

constexpr uint64_t kP1 = 0x9E3779B185EBCA87ULL;
constexpr uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
constexpr uint64_t kP3 = 0x165667B19E3779F9ULL;
constexpr uint64_t kP4 = 0x85EBCA77C2B2AE63ULL;
constexpr uint64_t kP5 = 0x27D4EB2F165667C5ULL;
constexpr size_t kStripe = 32;

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "XXH64 reads little-endian words");

inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
inline uint64_t read64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint32_t read32(const unsigned char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t round(uint64_t acc, uint64_t input) {
  acc += input * kP2;
  return rotl(acc, 31) * kP1;
}
inline uint64_t merge_round(uint64_t h, uint64_t acc) {
  h ^= round(0, acc);
  return h * kP1 + kP4;
}

void init_acc(uint64_t acc[4], uint64_t seed) {
  acc[0] = seed + kP1 + kP2;
  acc[1] = seed + kP2;
  acc[2] = seed;
  acc[3] = seed - kP1;
}

// Consumes whole 32-byte stripes, copying them to dst when it is not null;
// returns the bytes consumed.
template <bool kCopy>
size_t consume_stripes(uint64_t acc[4], const unsigned char* p, size_t len, unsigned char* dst = nullptr) {
  const unsigned char* const start = p;
  const unsigned char* const limit = p + (len / kStripe) * kStripe;
  uint64_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  for (; p < limit; p += kStripe) {
    const uint64_t w0 = read64(p), w1 = read64(p + 8), w2 = read64(p + 16), w3 = read64(p + 24);
    if (kCopy) {
      std::memcpy(dst, p, kStripe);
      dst += kStripe;
    }
    a0 = round(a0, w0);
    a1 = round(a1, w1);
    a2 = round(a2, w2);
    a3 = round(a3, w3);
  }
  acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
  return static_cast<size_t>(p - start);
}

uint64_t finish(const uint64_t acc[4], uint64_t seed, uint64_t total_len, const unsigned char* tail,
                size_t tail_len) {
  uint64_t h;
  if (total_len >= kStripe) {
    h = rotl(acc[0], 1) + rotl(acc[1], 7) + rotl(acc[2], 12) + rotl(acc[3], 18);
    for (int i = 0; i < 4; ++i) h = merge_round(h, acc[i]);
  } else {
    h = seed + kP5;
  }
  h += total_len;
  const unsigned char* p = tail;
  const unsigned char* const end = tail + tail_len;
  for (; p + 8 <= end; p += 8) h = rotl(h ^ round(0, read64(p)), 27) * kP1 + kP4;
  if (p + 4 <= end) {
    h = rotl(h ^ (static_cast<uint64_t>(read32(p)) * kP1), 23) * kP2 + kP3;
    p += 4;
  }
  for (; p < end; ++p) h = rotl(h ^ (*p * kP5), 11) * kP1;
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return h;
}

}  // namespace

uint64_t xxh64(const void* data, size_t len, uint64_t seed) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint64_t acc[4];
  init_acc(acc, seed);
  const size_t done = consume_stripes<false>(acc, p, len);
  return finish(acc, seed, len, p + done, len - done);
}

Xxh64::Xxh64(uint64_t seed) : seed_(seed) { init_acc(acc_, seed); }

void Xxh64::update(const void* data, size_t len) {
  const auto* p = static_cast<const unsigned char*>(data);
  total_len_ += len;
  if (buf_len_ > 0) {  // top up the partial stripe first
    const size_t take = len < kStripe - buf_len_ ? len : kStripe - buf_len_;
    std::memcpy(buf_ + buf_len_, p, take);
    buf_len_ += take;
    p += take;
    len -= take;
    if (buf_len_ < kStripe) return;
    consume_stripes<false>(acc_, buf_, kStripe);
    buf_len_ = 0;
  }
  const size_t done = consume_stripes<false>(acc_, p, len);
  buf_len_ = len - done;
  std::memcpy(buf_, p + done, buf_len_);
}

void Xxh64::update_copy(void* dst, const void* src, size_t len) {
  const auto* p = static_cast<const unsigned char*>(src);
  auto* d = static_cast<unsigned char*>(dst);
  if (buf_len_ > 0 || len < kStripe) {  // unaligned start or tiny: the plain path
    const size_t head = buf_len_ > 0 ? std::min(len, kStripe - buf_len_) : len;
    std::memcpy(d, p, head);
    update(p, head);
    p += head, d += head, len -= head;
    if (len == 0) return;
  }
  total_len_ += len;
  const size_t done = consume_stripes<true>(acc_, p, len, d);
  buf_len_ = len - done;
  std::memcpy(buf_, p + done, buf_len_);
  std::memcpy(d + done, p + done, buf_len_);
}

uint64_t Xxh64::digest() const { return finish(acc_, seed_, total_len_, buf_, buf_len_); }

uint64_t fnv1a64(const void* data, size_t len, uint64_t basis) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint64_t h = basis;
  for (size_t i = 0; i < len; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

std::string fnv1a_hex(const std::string& data) { return hex64(fnv1a64(data.data(), data.size())); }

}  // namespace flor
