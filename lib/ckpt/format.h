// The checkpoint format (spec: docs/checkpoint-format.md). No torch
// here: the runtime writes and restores it, the driver's `flor gc` reads it,
// both through this library (flor_ckpt).
//
// A checkpoint is a small manifest file (keys, dtypes, shapes, and for each
// tensor the content hash and location of its bytes) plus the pack files it
// references under <dir>/packs/. A pack holds the tensor blobs that were new
// when some checkpoint was written; later checkpoints reference unchanged
// tensors in earlier packs by content hash instead of writing them again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace flor::ckpt {

inline constexpr char kManifestMagic[8] = {'F', 'L', 'O', 'R', 'C', 'K', 'P', 'T'};
inline constexpr char kPackMagic[8] = {'F', 'L', 'O', 'R', 'P', 'A', 'C', 'K'};
// Manifests are version 2 (version 1, without an origin, is still read);
// packs are version 1.
inline constexpr uint32_t kManifestVersion = 2;
inline constexpr uint32_t kManifestVersionNoOrigin = 1;
inline constexpr uint32_t kPackVersion = 1;
inline constexpr size_t kPackHeaderBytes = 64;
inline constexpr size_t kBlobAlign = 64;  // blob offsets in a pack are multiples of this
inline constexpr const char* kPackDir = "packs";

// Element types, numbered by the format (never renumbered; not torch's enum).
enum class DType : uint8_t {
  kFloat32 = 1,
  kFloat64 = 2,
  kFloat16 = 3,
  kBFloat16 = 4,
  kInt8 = 5,
  kUInt8 = 6,
  kInt16 = 7,
  kInt32 = 8,
  kInt64 = 9,
  kBool = 10,
  kComplex64 = 11,
  kComplex128 = 12,
};
// 0 for a code that is not a DType of this version.
size_t dtype_size(uint8_t code);
const char* dtype_name(uint8_t code);

// Where the bytes of one tensor live. hash = xxh64(bytes, seed 0) is both the
// content address and the checksum. A tensor with no bytes has pack_id 0.
struct BlobRef {
  uint64_t hash = 0;
  uint64_t nbytes = 0;
  uint64_t pack_id = 0;
  uint64_t offset = 0;
};

struct ManifestEntry {
  std::string key;
  uint8_t dtype = 0;
  std::vector<int64_t> shape;
  BlobRef blob;
};

// What a checkpoint belongs to: the recorded run, the main-loop iteration
// and the skip block (its number `seq` in the epoch and its name; seq -1: the
// end of the iteration itself, `block` the loop's name). A restore compares it
// with what it expects, so a file copied or renamed over another is refused.
struct CheckpointOrigin {
  int64_t run = 0;
  int64_t epoch = 0;
  int64_t seq = 0;
  std::string block;
  bool operator==(const CheckpointOrigin& o) const {
    return run == o.run && epoch == o.epoch && seq == o.seq && block == o.block;
  }
};
// "run 1, epoch 3, block 'train' (#0)"; the end of an iteration: "..., end of iteration 'step'".
std::string to_string(const CheckpointOrigin& origin);

struct Manifest {
  // Version 2 has one; a version-1 manifest has none. encode_manifest writes
  // the version that fits (so rewriting a version-1 manifest keeps it one).
  std::optional<CheckpointOrigin> origin;
  std::vector<ManifestEntry> entries;
};

std::string encode_manifest(const Manifest& manifest);
// `path` only names the file in error messages (kCorrupt).
Result<Manifest> decode_manifest(const std::string& bytes, const std::string& path);
Result<Manifest> read_manifest(const std::string& path);

// A pack's id names it: "<dir>/packs/<16 hex digits>.pack". The id is a hash of
// the (hash, nbytes) list of its blobs, so the same blobs give the same file.
uint64_t pack_id_of(const std::vector<BlobRef>& blobs);
std::string pack_path(const std::string& dir, uint64_t pack_id);
// Parses a pack file name back to its id; false for other names.
bool parse_pack_file_name(const std::string& name, uint64_t* pack_id);
std::string encode_pack_header(uint64_t pack_id, uint32_t blob_count);
Status check_pack_header(const std::string& header, uint64_t pack_id, const std::string& path);

// Reads the bytes of blob `ref` from its pack in checkpoint directory `dir`
// with pread, in chunks, checking the pack's header and the blob's content
// hash; each chunk goes to `sink` when given. kCorrupt when the pack is missing
// or short or a hash differs (a sink may have seen some bytes by then).
using BlobSink = std::function<Status(const uint8_t* data, size_t len)>;
Status read_blob(const std::string& dir, const BlobRef& ref, const BlobSink& sink = nullptr);

}  // namespace flor::ckpt
