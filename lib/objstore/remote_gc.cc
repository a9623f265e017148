#include "objstore/remote_gc.h"

#include <unistd.h>

#include <cstdio>
#include <set>

#include "ckpt/format.h"
#include "objstore/ckpt_sync.h"

namespace flor::objstore {
namespace {

std::string base_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

Result<RemoteGcResult> collect_remote_garbage(S3Client& client, const std::string& name,
                                              const std::vector<std::string>& live, bool dry_run,
                                              const std::string& scratch_dir) {
  const std::string folder = object_key(client, name, "ckpt/");
  std::set<std::string> keep;
  const std::string scratch = scratch_dir + "/.remote-manifest.tmp-" + std::to_string(getpid());
  for (const auto& l : live) {
    const std::string key = folder + base_name(l);
    Status s = client.get_file(key, scratch);
    if (s.code() == Code::kNotFound) continue;  // never uploaded: nothing of it to keep
    FLOR_RETURN_IF_ERROR(s);
    auto m = ckpt::read_manifest(scratch);
    std::remove(scratch.c_str());
    if (!m.ok()) {
      return corrupt("object " + client.url_of(key) + " (a checkpoint gc keeps) is damaged: " + m.status().message() +
                     "; nothing deleted remotely (its packs are unknown)");
    }
    keep.insert(key);
    for (const auto& e : m->entries) {
      if (e.blob.pack_id != 0) keep.insert(folder + "packs/" + base_name(ckpt::pack_path("", e.blob.pack_id)));
    }
  }
  FLOR_ASSIGN_OR_RETURN(auto objects, client.list(folder));
  RemoteGcResult out;
  out.bucket = client.config().bucket;
  for (auto& o : objects) {
    if (keep.count(o.key) > 0) continue;
    if (!dry_run) FLOR_RETURN_IF_ERROR(client.remove(o.key));
    out.bytes += o.size;
    out.deleted.push_back(std::move(o));
  }
  return out;
}

}  // namespace flor::objstore
