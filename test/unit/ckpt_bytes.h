// Checkpoints of plain float vectors, written and read through lib/ckpt without
// LibTorch: the unit tier's stand-in for tensors (the checkpoint writer takes
// staged bytes; the torch tier tests staging them).
#pragma once

#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ckpt/format.h"
#include "ckpt/pack_writer.h"
#include "ckpt/writer.h"
#include "util/status.h"

namespace flor::test {

using Floats = std::vector<float>;
using FloatState = std::vector<std::pair<std::string, Floats>>;  // key -> values, in checkpoint order

inline Floats iota_floats(size_t n) {
  Floats v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<float>(i);
  return v;
}

// The runtime's test state: "frozen" (0, 1, 2, ...) never changes, "w" = w_value.
inline FloatState two_tensor_state(size_t elems, float w_value) {
  return {{"frozen", iota_floats(elems)}, {"w", Floats(elems, w_value)}};
}

// Stages `state` the way the engine does (slot-aligned, zero-padded, in an
// aligned arena) and writes checkpoint `name` with `writer`.
inline Result<int64_t> write_floats(ckpt::CheckpointWriter& writer, const FloatState& state,
                                    const std::string& name) {
  std::vector<ckpt::StagedTensor> staged;
  size_t total = 0;
  for (const auto& [key, values] : state) {
    ckpt::StagedTensor t;
    t.key = key;
    t.dtype = static_cast<uint8_t>(ckpt::DType::kFloat32);
    t.shape = {static_cast<int64_t>(values.size())};
    t.offset = total;
    t.nbytes = values.size() * sizeof(float);
    total += ckpt::slot_bytes(t.nbytes);
    staged.push_back(t);
  }
  void* raw = nullptr;
  if (::posix_memalign(&raw, ckpt::kSlotAlign, total == 0 ? ckpt::kSlotAlign : total) != 0) std::abort();
  std::unique_ptr<uint8_t, decltype(&std::free)> arena(static_cast<uint8_t*>(raw), &std::free);
  std::memset(arena.get(), 0, total);
  for (size_t i = 0; i < state.size(); ++i) {
    std::memcpy(arena.get() + staged[i].offset, state[i].second.data(), staged[i].nbytes);
  }
  return writer.write(arena.get(), staged, name);
}

// The values of every tensor of checkpoint `path` (kCorrupt when a blob fails
// its checksum or is missing): the unit tier's restore and verify.
inline Result<std::map<std::string, Floats>> read_floats(const std::string& dir, const std::string& name) {
  FLOR_ASSIGN_OR_RETURN(ckpt::Manifest manifest, ckpt::read_manifest(dir + "/" + name));
  std::map<std::string, Floats> out;
  for (const auto& e : manifest.entries) {
    Floats& values = out[e.key];
    values.resize(e.blob.nbytes / sizeof(float));
    if (e.blob.nbytes == 0) continue;
    size_t at = 0;
    FLOR_RETURN_IF_ERROR(ckpt::read_blob(dir, e.blob, [&](const uint8_t* data, size_t len) {
      std::memcpy(reinterpret_cast<uint8_t*>(values.data()) + at, data, len);
      at += len;
      return Status();
    }));
  }
  return out;
}

inline Status verify_floats(const std::string& dir, const std::string& name) {
  return read_floats(dir, name).status();
}

}  // namespace flor::test
