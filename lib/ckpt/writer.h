// Writes one checkpoint from staged bytes (runs on the engine's background
// thread). Deduplicates by content: a tensor whose bytes are already durable in
// this directory (written by this writer, or referenced by a checkpoint that
// was there when it started: another run) is referenced, not written again.
// New blobs of one checkpoint go into one pack file, so a checkpoint costs a
// fixed number of fsyncs (pack, manifest, packs/ dir, dir) whatever its tensor
// count (docs/checkpoint-format.md, "Crash safety"). No torch here: tests
// drive it with plain bytes and a fault-injecting Env.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "ckpt/format.h"
#include "ckpt/pack_writer.h"
#include "util/env.h"
#include "util/status.h"

namespace flor::ckpt {

// One tensor's bytes in the staging arena, with what the manifest records.
struct StagedTensor {
  std::string key;
  uint8_t dtype = 0;
  std::vector<int64_t> shape;
  size_t offset = 0;  // into the arena, a multiple of kSlotAlign
  size_t nbytes = 0;
};

// Every file operation goes through `env`, which outlives the writer. Not
// thread-safe: one thread writes.
class CheckpointWriter {
 public:
  explicit CheckpointWriter(std::string dir, Env* env = Env::posix()) : dir_(std::move(dir)), env_(env) {}

  // Writes checkpoint `name` (a file in dir) referencing `tensors` in
  // `arena`, its manifest naming `origin` (none: the version-1 layout). On success every file the checkpoint
  // references is durable and the result is the number of bytes newly written. On failure nothing under the
  // final name changed (temp files are removed) and the dedup index is unchanged.
  Result<int64_t> write(const uint8_t* arena, const std::vector<StagedTensor>& tensors,
                        const std::string& name,
                        const std::optional<CheckpointOrigin>& origin = std::nullopt);
  // The CPU time the last write spent on its helper thread (half of the
  // checksums), beside the calling thread's own.
  double helper_cpu_seconds() const { return helper_cpu_seconds_; }

 private:
  struct NewBlob {
    const uint8_t* data;
    BlobRef* ref;
  };
  using BlobKey = std::pair<uint64_t, uint64_t>;  // (hash, nbytes)
  Result<int64_t> write_pack(const std::vector<NewBlob>& blobs);
  Status ensure_pack_dir();
  void load_existing();
  const BlobRef* find_durable(const BlobKey& key);

  std::string dir_;
  Env* env_;
  bool pack_dir_ready_ = false;
  bool dir_entry_unsynced_ = false;  // packs/ created, dir_ not fsynced since
  // (hash, nbytes) -> where those bytes are durable. Written only after a
  // checkpoint is durable, so a reference never points at an unsynced blob.
  struct KeyHash {
    size_t operator()(const std::pair<uint64_t, uint64_t>& k) const { return k.first ^ k.second; }
  };
  std::unordered_map<BlobKey, BlobRef, KeyHash> known_;
  // Blobs of the checkpoints already in dir_ at the first write. One is read
  // back and its hash checked before a checkpoint first references it (then it
  // moves to known_): a new checkpoint never leans on bytes that rotted.
  std::unordered_map<BlobKey, BlobRef, KeyHash> existing_;
  bool existing_loaded_ = false;
  double helper_cpu_seconds_ = 0;
};

}  // namespace flor::ckpt
