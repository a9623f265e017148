// Writes one pack file (docs/checkpoint-format.md): a header in the first
// slot, then blobs at slot-aligned offsets, durable under its name only once
// complete. The one writer of packs: the checkpoint writer sends runs of staged
// blobs straight from its arena; gc's compaction streams live blobs out of an
// old pack. No torch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ckpt/format.h"
#include "util/durable_file.h"
#include "util/env.h"
#include "util/status.h"

namespace flor::ckpt {

// Blobs sit in packs (and tensors in the staging arena) in slots of kSlotAlign
// bytes: a slot starts at a multiple of it, and its bytes after nbytes are
// zero. So runs of blobs go to disk with direct I/O straight from the arena.
inline constexpr size_t kSlotAlign = kDirectAlign;
inline size_t slot_bytes(size_t nbytes) { return (nbytes + kSlotAlign - 1) / kSlotAlign * kSlotAlign; }

// Not thread-safe; `env` outlives it.
class PackWriter {
 public:
  // A pack for `blobs` (their hash and nbytes, in file order: they name the
  // pack) in <dir>/packs/, which exists.
  static Result<PackWriter> create(const std::string& dir, const std::vector<BlobRef>& blobs, IoMode mode,
                                   Env* env = Env::posix());
  uint64_t id() const { return id_; }
  // The file offset where the next blob byte goes.
  int64_t offset() const { return file_.size() + (header_ ? static_cast<int64_t>(kSlotAlign) : 0); }
  // Appends whole slots of blob bytes (padding included), in order; the
  // header goes out in the same vectored write.
  Status append_slots(const std::vector<DurableFile::Piece>& pieces);
  // Appends part of one blob; end_blob() pads it to its slot.
  Status append(const uint8_t* data, size_t len);
  Status end_blob();
  // fsyncs the pack and renames it to its name, which is durable once the
  // packs/ folder is fsynced (a writer that orders several files shares that
  // fsync); commit() does both.
  Status publish();
  Status commit();

 private:
  struct alignas(kSlotAlign) Slot {
    char bytes[kSlotAlign];
  };
  PackWriter(uint64_t id, DurableFile file, std::unique_ptr<Slot> header)
      : id_(id), file_(std::move(file)), header_(std::move(header)) {}

  uint64_t id_;
  DurableFile file_;
  std::unique_ptr<Slot> header_;  // until written, with the first bytes
};

}  // namespace flor::ckpt
