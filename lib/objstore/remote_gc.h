// `flor gc` in the object store: deletes the objects of experiment NAME's
// checkpoint folder (<prefix>/NAME/ckpt/) that no live checkpoint needs.
// What a live checkpoint needs is read from its remote manifest (a local gc
// may have rewritten the local one to point at new packs).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "objstore/s3.h"
#include "util/status.h"

namespace flor::objstore {

struct RemoteGcResult {
  std::string bucket;
  std::vector<ObjectInfo> deleted;  // with dry_run: what would be deleted
  int64_t bytes = 0;                // their exact sizes, summed
};

// `live`: the file names of the checkpoints to keep (a path's last component
// counts). `scratch_dir` holds a downloaded manifest for a moment.
Result<RemoteGcResult> collect_remote_garbage(S3Client& client, const std::string& name,
                                              const std::vector<std::string>& live, bool dry_run,
                                              const std::string& scratch_dir);

}  // namespace flor::objstore
