#include "ckpt/gc.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>

#include "ckpt/format.h"
#include "ckpt/posix_file.h"

namespace flor::rt {
namespace fs = std::filesystem;
namespace {

bool starts_with_manifest_magic(const fs::path& path) {
  Result<Fd> fd = open_read(path.string());
  if (!fd.ok()) return false;
  char magic[sizeof(kManifestMagic)];
  return pread_exact(*fd, magic, sizeof(magic), 0, path.string()).ok() &&
         std::memcmp(magic, kManifestMagic, sizeof(magic)) == 0;
}

// Removes a file and counts its bytes; a file already gone counts nothing.
Status remove_counting(const fs::path& path, int64_t* freed) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return Status();
  if (!fs::remove(path, ec) && ec) {
    return io_error("cannot delete " + path.string() + ": " + ec.message());
  }
  *freed += static_cast<int64_t>(size);
  return Status();
}

Result<std::set<uint64_t>> packs_referenced_by(const std::string& dir,
                                                const std::set<std::string>& live) {
  std::set<uint64_t> packs;
  for (const auto& name : live) {
    const std::string path = dir + "/" + name;
    if (!fs::exists(path)) continue;
    Result<Manifest> manifest = read_manifest(path);
    if (!manifest.ok()) {
      return manifest.status().with_context(
          "garbage collection stopped, nothing deleted (drop the checkpoint from the live set "
          "or repair it)");
    }
    for (const auto& e : manifest->entries) {
      if (e.blob.pack_id != 0) packs.insert(e.blob.pack_id);
    }
  }
  return packs;
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

Result<int64_t> collect_garbage(const std::string& dir,
                                const std::vector<std::string>& live_checkpoints) {
  std::set<std::string> live;
  for (const auto& c : live_checkpoints) live.insert(fs::path(c).filename().string());
  FLOR_ASSIGN_OR_RETURN(std::set<uint64_t> referenced, packs_referenced_by(dir, live));
  FLOR_ASSIGN_OR_RETURN(std::vector<std::string> checkpoints, list_checkpoints(dir));
  int64_t freed = 0;
  // Manifests first: a crash midway leaves unreferenced packs (found next
  // time), never a manifest whose pack is gone.
  for (const auto& name : checkpoints) {
    if (!live.count(name)) FLOR_RETURN_IF_ERROR(remove_counting(fs::path(dir) / name, &freed));
  }
  std::vector<fs::path> doomed;  // collected first: no deleting while iterating
  for (const fs::path folder : {fs::path(dir), fs::path(dir) / kPackDir}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
      const std::string name = entry.path().filename().string();
      uint64_t pack_id = 0;
      const bool dead_pack = folder != fs::path(dir) && parse_pack_file_name(name, &pack_id) &&
                             !referenced.count(pack_id);
      if (is_temp_file_name(name) || dead_pack) doomed.push_back(entry.path());
    }
  }
  for (const auto& path : doomed) FLOR_RETURN_IF_ERROR(remove_counting(path, &freed));
  return freed;
}

}  // namespace flor::rt
