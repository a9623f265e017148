// Reading checkpoints: restore(), list(), verify(). Structural problems
// (missing key, dtype or shape mismatch, bad manifest, truncated or missing
// pack) are found before any tensor is written; a content checksum mismatch is
// found while the bytes land, so after a kCorrupt from restore() the items'
// contents are unspecified (call verify() first for all-or-nothing).
// Packs are read through read-only maps; a read error of the disk under a map
// is a SIGBUS rather than a Status (sizes are checked first, so a truncated
// pack is a Status).
#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>
#include <vector>

#include "ckpt/engine.h"
#include "ckpt/format.h"
#include "ckpt/tensor_io.h"
#include "util/file.h"
#include "util/hash.h"
#include "util/hex.h"

namespace flor::rt {
using namespace ckpt;  // NOLINT(google-build-using-namespace): the format this file reads
namespace {

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

// The pack files one checkpoint references, opened once each.
class PackSet {
 public:
  PackSet(std::string ckpt_path)
      : ckpt_path_(std::move(ckpt_path)),
        dir_(std::filesystem::path(ckpt_path_).parent_path().string()) {
    if (dir_.empty()) dir_ = ".";
  }

  // Opens the blob's pack and checks that the blob lies inside it.
  Status check(const ManifestEntry& e) {
    if (e.blob.nbytes == 0) return Status();
    FLOR_ASSIGN_OR_RETURN(Pack * pack, open(e.blob.pack_id));
    const auto size = static_cast<uint64_t>(pack->size);
    if (e.blob.offset < kPackHeaderBytes || e.blob.offset > size ||
        e.blob.nbytes > size - e.blob.offset) {
      return corrupt("checkpoint " + ckpt_path_ + ": tensor '" + e.key + "' lies outside pack " +
                     pack->path + " (" + std::to_string(pack->size) +
                     " bytes): the pack is truncated or corrupt");
    }
    return Status();
  }

  // Checks the blob's content hash, copying its bytes to dst on the way when
  // dst is not null (one pass: the copy rides along with the hash's loads).
  // check(e) must have succeeded.
  Status read(const ManifestEntry& e, uint8_t* dst) {
    if (e.blob.nbytes == 0) return Status();
    const Pack& pack = *packs_.at(e.blob.pack_id);
    const uint8_t* src = pack.map + e.blob.offset;
    Xxh64 hash;
    if (dst != nullptr) {
      hash.update_copy(dst, src, e.blob.nbytes);
    } else {
      hash.update(src, e.blob.nbytes);
    }
    if (hash.digest() == e.blob.hash) return Status();
    return corrupt("checkpoint " + ckpt_path_ + ": tensor '" + e.key + "' in pack " + pack.path +
                   " fails its checksum (expected " + hex64(e.blob.hash) + ", got " +
                   hex64(hash.digest()) + "): the pack is corrupt");
  }

 private:
  // A pack mapped read-only: reading from the page cache without a kernel
  // copy lets restore copy and hash in one pass.
  struct Pack {
    ~Pack() {
      if (map != nullptr) ::munmap(const_cast<uint8_t*>(map), static_cast<size_t>(size));
    }
    std::string path;
    Fd fd;
    int64_t size = 0;
    const uint8_t* map = nullptr;
  };

  Result<Pack*> open(uint64_t pack_id) {
    if (auto it = packs_.find(pack_id); it != packs_.end()) return it->second.get();
    auto pack = std::make_unique<Pack>();
    pack->path = pack_path(dir_, pack_id);
    Result<Fd> fd = open_read(pack->path);
    if (!fd.ok()) {
      const Code code = fd.status().code() == Code::kNotFound ? Code::kCorrupt : fd.status().code();
      return Status(code, "checkpoint " + ckpt_path_ + " references pack " + pack->path +
                              ", which cannot be opened: " + fd.status().message());
    }
    pack->fd = std::move(fd).value();
    FLOR_ASSIGN_OR_RETURN(pack->size, file_size(pack->fd, pack->path));
    std::string header(kPackHeaderBytes, '\0');
    if (pack->size < static_cast<int64_t>(kPackHeaderBytes)) {
      return corrupt("pack " + pack->path + " is truncated (referenced by " + ckpt_path_ + ")");
    }
    FLOR_RETURN_IF_ERROR(pread_exact(pack->fd, header.data(), header.size(), 0, pack->path));
    FLOR_RETURN_IF_ERROR(check_pack_header(header, pack_id, pack->path));
    void* map = ::mmap(nullptr, static_cast<size_t>(pack->size), PROT_READ, MAP_SHARED,
                       pack->fd.get(), 0);
    if (map == MAP_FAILED) {
      return io_error("cannot map pack " + pack->path + ": " + std::strerror(errno));
    }
    ::madvise(map, static_cast<size_t>(pack->size), MADV_SEQUENTIAL);
    pack->map = static_cast<const uint8_t*>(map);
    return (packs_[pack_id] = std::move(pack)).get();
  }

  std::string ckpt_path_;
  std::string dir_;
  std::unordered_map<uint64_t, std::unique_ptr<Pack>> packs_;
};

const ManifestEntry* find_entry(const Manifest& m, const std::string& key) {
  for (const auto& e : m.entries) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

// The stored tensor must fit the program's tensor exactly.
Status check_match(const std::string& path, const ManifestEntry* e, const StateItem& item) {
  if (e == nullptr) {
    return not_found("checkpoint " + path + " has no tensor '" + item.key + "'");
  }
  FLOR_ASSIGN_OR_RETURN(uint8_t dtype, format_dtype(item.tensor, item.key));
  const std::vector<int64_t> shape = item.tensor.sizes().vec();
  if (dtype != e->dtype || shape != e->shape) {
    return invalid_argument("checkpoint " + path + ": tensor '" + item.key + "' is " +
                            dtype_name(e->dtype) + shape_string(e->shape) +
                            " in the checkpoint but " + dtype_name(dtype) + shape_string(shape) +
                            " in the program");
  }
  return Status();
}

}  // namespace

Status CheckpointEngine::restore(const std::string& path, const std::vector<StateItem>& items) {
  FLOR_ASSIGN_OR_RETURN(Manifest manifest, read_manifest(path));
  PackSet packs(path);
  std::vector<const ManifestEntry*> entries(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    entries[i] = find_entry(manifest, items[i].key);
    FLOR_RETURN_IF_ERROR(check_match(path, entries[i], items[i]));
    FLOR_RETURN_IF_ERROR(packs.check(*entries[i]));
  }
  for (size_t i = 0; i < items.size(); ++i) {
    const ManifestEntry& e = *entries[i];
    FLOR_RETURN_IF_ERROR(fill_tensor(
        items[i].tensor, [&](uint8_t* dst) { return packs.read(e, dst); }, items[i].key));
  }
  return Status();
}

Result<std::vector<CheckpointEngine::Entry>> CheckpointEngine::list(const std::string& path) {
  FLOR_ASSIGN_OR_RETURN(Manifest manifest, read_manifest(path));
  std::vector<Entry> out;
  out.reserve(manifest.entries.size());
  for (auto& e : manifest.entries) out.push_back({e.key, scalar_type_of(e.dtype), e.shape});
  return out;
}

Status CheckpointEngine::verify(const std::string& path, const CheckpointOrigin* expected) {
  FLOR_ASSIGN_OR_RETURN(Manifest manifest, read_manifest(path));
  if (expected && manifest.origin && !(*manifest.origin == *expected)) {
    return corrupt("checkpoint " + path + " holds the state of " + to_string(*manifest.origin) + ", not of " +
                   to_string(*expected) +
                   " (copied or renamed over it?): it cannot be restored; replay will "
                   "re-execute instead");
  }
  PackSet packs(path);
  std::set<std::pair<uint64_t, uint64_t>> seen;  // a blob shared by two keys is read once
  for (const auto& e : manifest.entries) {
    FLOR_RETURN_IF_ERROR(packs.check(e));
    if (!seen.insert({e.blob.pack_id, e.blob.offset}).second) continue;
    FLOR_RETURN_IF_ERROR(packs.read(e, nullptr));
  }
  return Status();
}

}  // namespace flor::rt
