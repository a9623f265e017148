#include "ckpt/gc.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "ckpt/format.h"
#include "ckpt/pack_writer.h"
#include "util/durable_file.h"
#include "util/file.h"

namespace flor::ckpt {
namespace fs = std::filesystem;
namespace {

bool starts_with_manifest_magic(const fs::path& path) {
  Result<Fd> fd = open_read(path.string());
  if (!fd.ok()) return false;
  char magic[sizeof(kManifestMagic)];
  return pread_exact(*fd, magic, sizeof(magic), 0, path.string()).ok() &&
         std::memcmp(magic, kManifestMagic, sizeof(magic)) == 0;
}

// Removes a file (unless dry_run) and counts its bytes; a file already gone
// counts nothing.
Status remove_counting(const fs::path& path, int64_t* freed, bool dry_run, Env* env) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return Status();
  if (!dry_run && env->unlink(path.string()) != 0 && errno != ENOENT)
    return os_error("cannot delete", path.string());
  *freed += static_cast<int64_t>(size);
  return Status();
}

// What the live checkpoints use: per pack, its live blobs (by offset) and the
// manifests that reference it.
struct LiveSet {
  std::map<uint64_t, std::map<uint64_t, BlobRef>> blobs;
  std::map<uint64_t, std::set<std::string>> users;
};

Result<LiveSet> live_set_of(const std::string& dir, const std::set<std::string>& live) {
  LiveSet out;
  for (const auto& name : live) {
    const std::string path = (fs::path(dir) / name).string();
    if (!fs::exists(path)) continue;
    Result<Manifest> manifest = read_manifest(path);
    if (!manifest.ok()) {
      return manifest.status().with_context(
          "garbage collection stopped, nothing deleted (drop the checkpoint from the live set "
          "or repair it)");
    }
    for (const auto& e : manifest->entries) {
      if (e.blob.pack_id == 0) continue;
      out.blobs[e.blob.pack_id].emplace(e.blob.offset, e.blob);
      out.users[e.blob.pack_id].insert(name);
    }
  }
  return out;
}

// Rewrites pack `id` with only its live blobs when dead blobs fill half of it
// or more, points the manifests that use it at the new pack, then deletes it.
// Crash-safe in that order: until the old pack goes, every manifest, rewritten
// or not, references a durable pack. Returns the bytes freed (0: left alone),
// or that would be freed when dry_run.
Result<int64_t> compact(const std::string& dir, uint64_t id, const std::map<uint64_t, BlobRef>& live,
                        const std::set<std::string>& users, bool dry_run, Env* env) {
  const std::string old_path = pack_path(dir, id);
  std::error_code ec;
  const auto old_size = static_cast<int64_t>(fs::file_size(old_path, ec));
  if (ec) return 0;                 // missing: restore names it; nothing to compact
  int64_t live_bytes = kSlotAlign;  // the header's slot
  std::vector<BlobRef> refs;
  for (const auto& [offset, blob] : live) {
    live_bytes += static_cast<int64_t>(slot_bytes(blob.nbytes));
    refs.push_back(blob);
  }
  const uint64_t new_id = pack_id_of(refs);
  if (live_bytes * 2 > old_size || new_id == id) return 0;
  if (dry_run) return old_size - live_bytes;  // the new pack is exactly live_bytes

  FLOR_ASSIGN_OR_RETURN(PackWriter pack, PackWriter::create(dir, refs, IoMode::kBuffered, env));
  std::map<uint64_t, uint64_t> moved;  // old offset -> new offset
  for (const auto& [offset, blob] : live) {
    moved[offset] = static_cast<uint64_t>(pack.offset());
    FLOR_RETURN_IF_ERROR(
        read_blob(dir, blob, [&](const uint8_t* data, size_t len) { return pack.append(data, len); }));
    FLOR_RETURN_IF_ERROR(pack.end_blob());
  }
  const int64_t new_size = pack.offset();
  FLOR_RETURN_IF_ERROR(pack.commit());  // durable under its name before any manifest points at it
  for (const auto& name : users) {
    const std::string path = (fs::path(dir) / name).string();
    FLOR_ASSIGN_OR_RETURN(Manifest manifest, read_manifest(path));
    for (auto& e : manifest.entries) {
      if (e.blob.pack_id != id) continue;
      e.blob.pack_id = new_id;
      e.blob.offset = moved.at(e.blob.offset);
    }
    const std::string bytes = encode_manifest(manifest);
    FLOR_ASSIGN_OR_RETURN(DurableFile file, DurableFile::create(path, IoMode::kBuffered, env));
    FLOR_RETURN_IF_ERROR(file.append(bytes.data(), bytes.size()));
    FLOR_RETURN_IF_ERROR(file.commit());
  }
  int64_t removed = 0;
  FLOR_RETURN_IF_ERROR(remove_counting(old_path, &removed, false, env));
  return removed - new_size;
}

}  // namespace

Result<std::vector<std::string>> list_checkpoints(const std::string& dir) {
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || is_temp_file_name(name)) continue;
    if (starts_with_manifest_magic(entry.path())) names.push_back(name);
  }
  if (ec) return io_error("cannot list checkpoint directory " + dir + ": " + ec.message());
  std::sort(names.begin(), names.end());
  return names;
}

Result<int64_t> collect_garbage(const std::string& dir, const std::vector<std::string>& live_checkpoints,
                                bool dry_run, Env* env) {
  std::set<std::string> live;
  for (const auto& c : live_checkpoints) live.insert(fs::path(c).filename().string());
  FLOR_ASSIGN_OR_RETURN(LiveSet used, live_set_of(dir, live));
  FLOR_ASSIGN_OR_RETURN(std::vector<std::string> checkpoints, list_checkpoints(dir));
  int64_t freed = 0;
  // Manifests first: a crash midway leaves unreferenced packs (found next
  // time), never a manifest whose pack is gone.
  for (const auto& name : checkpoints) {
    if (!live.count(name)) FLOR_RETURN_IF_ERROR(remove_counting(fs::path(dir) / name, &freed, dry_run, env));
  }
  std::vector<fs::path> doomed;  // collected first: no deleting while iterating
  for (const fs::path& folder : {fs::path(dir), fs::path(dir) / kPackDir}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
      const std::string name = entry.path().filename().string();
      uint64_t pack_id = 0;
      const bool dead_pack =
          folder != fs::path(dir) && parse_pack_file_name(name, &pack_id) && !used.blobs.count(pack_id);
      if (is_temp_file_name(name) || dead_pack) doomed.push_back(entry.path());
    }
  }
  for (const auto& path : doomed) FLOR_RETURN_IF_ERROR(remove_counting(path, &freed, dry_run, env));
  // Live packs that are mostly dead bytes (a frozen tensor keeps the first
  // pack of its run) shrink to their live blobs. A pack that fails its
  // checksums is left as it is: restore reports it.
  for (const auto& [id, blobs] : used.blobs) {
    Result<int64_t> compacted = compact(dir, id, blobs, used.users.at(id), dry_run, env);
    if (compacted.ok()) {
      freed += *compacted;
    } else if (compacted.status().code() != Code::kCorrupt) {
      return compacted.status().with_context("garbage collection stopped while compacting");
    }
  }
  return freed;
}

}  // namespace flor::ckpt
