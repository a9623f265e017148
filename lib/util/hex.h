// Hex formatting, no product code.
#pragma once

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>

namespace flor {

// `v` as 16 lowercase hex digits, zero-padded (pack names, content hashes).
inline std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

}  // namespace flor
