// Copying checkpoint files (docs/checkpoint-format.md) to and from an object
// store. A checkpoint `ckpt/<name>` of experiment store FLOR_HOME/NAME is its
// manifest plus the packs it references; remote, each file is the object
// `<prefix>/NAME/<same relative path>`. Packs are content-addressed and
// immutable, so an object that exists with the file's size is the file.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "objstore/s3.h"
#include "util/status.h"

namespace flor::objstore {

// The files of checkpoint `rel` ("ckpt/<name>") relative to `store_dir`:
// its packs (each once), then the manifest itself. Reads the manifest.
Result<std::vector<std::string>> checkpoint_files(const std::string& store_dir, const std::string& rel);

// The object key of `rel` of experiment `name`: "<prefix>/<name>/<rel>".
std::string object_key(const S3Client& client, const std::string& name, const std::string& rel);

struct UploadStats {
  int64_t files = 0;          // uploaded now
  int64_t bytes = 0;          // uploaded now
  int64_t skipped_files = 0;  // packs already there
};

// Uploads checkpoint `rel`: the packs not in `uploaded` (and not already
// remote with the same size), then the manifest last, so that a remote
// manifest always has its packs. Adds what is remote to `uploaded`.
Result<UploadStats> upload_checkpoint(S3Client& client, const std::string& store_dir, const std::string& name,
                                      const std::string& rel, std::set<std::string>* uploaded);

// Makes checkpoint `rel` present and whole under `store_dir`: files already
// there and whole are reused; missing or damaged ones are downloaded (temp
// file, rename) and verified (the manifest's checksum, each blob's XXH64);
// a bad download is tried again, `attempts` times in all, then the error
// names the object. `downloaded` (optional) counts the files fetched.
Status fetch_checkpoint(S3Client& client, const std::string& store_dir, const std::string& name,
                        const std::string& rel, int attempts = 3, int64_t* downloaded = nullptr);

}  // namespace flor::objstore
