#include "objstore/ckpt_sync.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <system_error>

#include "ckpt/format.h"

namespace flor::objstore {
namespace {

namespace fs = std::filesystem;

std::string dir_of(const std::string& rel) {
  const auto slash = rel.rfind('/');
  return slash == std::string::npos ? "" : rel.substr(0, slash);
}

// Checks every blob of `manifest` that lives in pack `pack_id`.
Status verify_pack(const std::string& ckpt_dir, const ckpt::Manifest& manifest, uint64_t pack_id) {
  for (const auto& e : manifest.entries) {
    if (e.blob.pack_id != pack_id || e.blob.nbytes == 0) continue;
    FLOR_RETURN_IF_ERROR(ckpt::read_blob(ckpt_dir, e.blob));
  }
  return Status();
}

// Downloads `key` over `path` (through a temp file) until `verify` passes,
// `attempts` times at most; on failure nothing is left at `path`.
Status fetch_verified(S3Client& client, const std::string& key, const std::string& path, int attempts,
                      const std::function<Status()>& verify) {
  Status last;
  for (int i = 0; i < attempts; ++i) {
    const std::string tmp = path + ".tmp-" + std::to_string(getpid());
    Status s = client.get_file(key, tmp);
    if (s.code() == Code::kNotFound) {
      return not_found("checkpoint file " + path + " is neither here nor in the object store (" + client.url_of(key) +
                       " does not exist)");
    }
    if (s.ok()) {
      std::error_code ec;
      fs::rename(tmp, path, ec);
      if (ec) return io_error(std::string("cannot rename ").append(tmp).append(" to ").append(path).append(": ").append(ec.message()));
      s = verify();
    }
    if (s.ok()) return Status();
    last = s;
  }
  std::error_code ec;
  fs::remove(path, ec);
  return corrupt("object " + client.url_of(key) + ": downloaded " + std::to_string(attempts) +
                 " times, never whole (" + last.message() + "); the remote copy is damaged");
}

}  // namespace

std::string object_key(const S3Client& client, const std::string& name, const std::string& rel) {
  return client.key(name + "/" + rel);
}

Result<std::vector<std::string>> checkpoint_files(const std::string& store_dir, const std::string& rel) {
  FLOR_ASSIGN_OR_RETURN(ckpt::Manifest m, ckpt::read_manifest(store_dir + "/" + rel));
  std::set<uint64_t> packs;
  std::vector<std::string> files;
  for (const auto& e : m.entries) {
    if (e.blob.pack_id == 0 || !packs.insert(e.blob.pack_id).second) continue;
    files.push_back(ckpt::pack_path(dir_of(rel), e.blob.pack_id));
  }
  files.push_back(rel);
  return files;
}

Result<UploadStats> upload_checkpoint(S3Client& client, const std::string& store_dir, const std::string& name,
                                      const std::string& rel, std::set<std::string>* uploaded) {
  FLOR_ASSIGN_OR_RETURN(auto files, checkpoint_files(store_dir, rel));
  UploadStats stats;
  for (const auto& f : files) {
    if (uploaded->count(f) > 0) {
      ++stats.skipped_files;
      continue;
    }
    const std::string path = std::string(store_dir).append("/").append(f);
    std::error_code ec;
    const auto size = static_cast<int64_t>(fs::file_size(path, ec));
    if (ec) return io_error("cannot upload " + path + ": " + ec.message());
    const std::string key = object_key(client, name, f);
    if (f != rel) {  // a pack: content-addressed, maybe there from an earlier run
      FLOR_ASSIGN_OR_RETURN(auto remote, client.head(key));
      if (remote && *remote == size) {
        uploaded->insert(f);
        ++stats.skipped_files;
        continue;
      }
    }
    FLOR_RETURN_IF_ERROR(client.put_file(key, path));
    uploaded->insert(f);
    ++stats.files;
    stats.bytes += size;
  }
  return stats;
}

Status fetch_checkpoint(S3Client& client, const std::string& store_dir, const std::string& name,
                        const std::string& rel, int attempts, int64_t* downloaded) {
  const std::string manifest_path = store_dir + "/" + rel;
  const std::string ckpt_dir = store_dir + "/" + dir_of(rel);
  std::error_code ec;
  fs::create_directories(ckpt_dir + "/packs", ec);
  if (ec) return io_error("cannot create " + ckpt_dir + "/packs (the checkpoint cache): " + ec.message());
  auto manifest = ckpt::read_manifest(manifest_path);
  if (!manifest.ok()) {
    FLOR_RETURN_IF_ERROR(fetch_verified(client, object_key(client, name, rel), manifest_path, attempts,
                                        [&] { return ckpt::read_manifest(manifest_path).status(); }));
    if (downloaded != nullptr) ++*downloaded;
    manifest = ckpt::read_manifest(manifest_path);
    FLOR_RETURN_IF_ERROR(manifest.status());
  }
  std::set<uint64_t> packs;
  for (const auto& e : manifest->entries) {
    if (e.blob.pack_id != 0) packs.insert(e.blob.pack_id);
  }
  for (uint64_t id : packs) {
    auto verify = [&] { return verify_pack(ckpt_dir, *manifest, id); };
    if (verify().ok()) continue;  // cached and whole
    const std::string prel = ckpt::pack_path(dir_of(rel), id);
    FLOR_RETURN_IF_ERROR(fetch_verified(client, object_key(client, name, prel),
                                        std::string(store_dir).append("/").append(prel), attempts, verify));
    if (downloaded != nullptr) ++*downloaded;
  }
  return Status();
}

}  // namespace flor::objstore
