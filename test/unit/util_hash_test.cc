// Hashing (lib/util/hash.h): XXH64 against the reference implementation's vectors.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "util/hash.h"

namespace flor {
namespace {

TEST_CASE("ckpt: xxh64 matches the reference test vectors, streaming or not", "[util][ckpt]") {
  CHECK(xxh64("", 0) == 0xEF46DB3751D8E999ULL);
  CHECK(xxh64("a", 1) == 0xD24EC4F1A98C6E5BULL);
  CHECK(xxh64("abc", 3) == 0x44BC2CF5AD770999ULL);
  const std::string long_text = "Nobody inspects the spammish repetition";  // > 32 bytes
  CHECK(xxh64(long_text.data(), long_text.size()) == 0xFBCEA83C8A378BF1ULL);
  std::vector<unsigned char> data(1000);
  std::mt19937 rng(7);
  for (auto& b : data) b = static_cast<unsigned char>(rng());
  for (size_t step : {1, 5, 31, 32, 33, 200}) {
    Xxh64 h(42);
    for (size_t off = 0; off < data.size(); off += step) {
      h.update(data.data() + off, std::min(step, data.size() - off));
    }
    CHECK(h.digest() == xxh64(data.data(), data.size(), 42));
    // update_copy: same hash, and the bytes arrive (restore's path).
    Xxh64 c(42);
    std::vector<unsigned char> copy(data.size());
    for (size_t off = 0; off < data.size(); off += step) {
      const size_t n = std::min(step, data.size() - off);
      c.update_copy(copy.data() + off, data.data() + off, n);
    }
    CHECK(c.digest() == xxh64(data.data(), data.size(), 42));
    CHECK(copy == data);
  }
}

}  // namespace
}  // namespace flor
