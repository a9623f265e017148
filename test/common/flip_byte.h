// Damages a file the way rot does: one byte changed in place.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>

namespace flor::test {

inline void flip_byte(const std::string& path, int64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(offset);
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x5a);
  f.seekp(offset);
  f.write(&c, 1);
}

}  // namespace flor::test
