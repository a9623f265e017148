#include "ckpt/writer.h"

#include <cerrno>
#include <cstring>
#include <system_error>
#include <thread>

#include "ckpt/gc.h"
#include "util/clock.h"
#include "util/durable_file.h"
#include "util/hash.h"

namespace flor::ckpt {

Status CheckpointWriter::ensure_pack_dir() {
  if (pack_dir_ready_) return Status();
  // Plain mkdir, not mkdir -p: a checkpoint dir that vanished is an error to
  // report, not something to silently recreate.
  const std::string packs = dir_ + "/" + kPackDir;
  if (env_->mkdir(packs, 0755) != 0 && errno != EEXIST) {
    return io_error("cannot create " + packs + ": " + std::strerror(errno));
  }
  pack_dir_ready_ = true;
  dir_entry_unsynced_ = true;  // the packs/ entry: made durable before a manifest lands
  return Status();
}

void CheckpointWriter::load_existing() {
  existing_loaded_ = true;
  Result<std::vector<std::string>> names = list_checkpoints(dir_);
  if (!names.ok()) return;  // nothing to reuse: every blob is written
  for (const auto& name : *names) {
    Result<Manifest> manifest = read_manifest(dir_ + "/" + name);
    if (!manifest.ok()) continue;  // a corrupt checkpoint offers nothing
    for (const auto& e : manifest->entries) {
      if (e.blob.pack_id != 0) existing_.emplace(BlobKey{e.blob.hash, e.blob.nbytes}, e.blob);
    }
  }
}

const BlobRef* CheckpointWriter::find_durable(const BlobKey& key) {
  if (auto it = known_.find(key); it != known_.end()) return &it->second;
  if (!existing_loaded_) load_existing();
  auto it = existing_.find(key);
  if (it == existing_.end()) return nullptr;
  const BlobRef ref = it->second;
  existing_.erase(it);
  if (!read_blob(dir_, ref).ok()) return nullptr;  // missing or rotted: written anew
  return &(known_[key] = ref);
}

Result<int64_t> CheckpointWriter::write_pack(const std::vector<NewBlob>& blobs) {
  std::vector<BlobRef> refs;
  refs.reserve(blobs.size());
  for (const auto& b : blobs) refs.push_back(*b.ref);
  FLOR_RETURN_IF_ERROR(ensure_pack_dir());
  FLOR_ASSIGN_OR_RETURN(PackWriter pack, PackWriter::create(dir_, refs, IoMode::kDirect, env_));
  const uint64_t pack_id = pack.id();
  // Each run of new blobs that are neighbours in the arena, all in one
  // vectored write with the header (a checkpoint where everything changed is
  // two pieces).
  std::vector<DurableFile::Piece> pieces;
  int64_t offset = pack.offset();
  for (size_t i = 0; i < blobs.size();) {
    const uint8_t* start = blobs[i].data;
    const uint8_t* end = start;
    size_t j = i;
    for (; j < blobs.size() && blobs[j].data == end; ++j) {
      blobs[j].ref->pack_id = pack_id;
      blobs[j].ref->offset = static_cast<uint64_t>(offset + (end - start));
      end += slot_bytes(blobs[j].ref->nbytes);
    }
    pieces.push_back({start, static_cast<size_t>(end - start)});
    offset += end - start;
    i = j;
  }
  FLOR_RETURN_IF_ERROR(pack.append_slots(pieces));
  FLOR_CHECK(pack.offset() == offset);
  FLOR_RETURN_IF_ERROR(pack.publish());  // its name is made durable before the manifest's
  return offset;
}

namespace {

// The XXH64 of each tensor's bytes, on this thread and one more (the second
// takes the tensors after the first half of the bytes): the checksum was a
// fifth of a durable write's time, alone ahead of the write. `helper_cpu`:
// the second thread's CPU time.
std::vector<uint64_t> hash_tensors(const uint8_t* arena, const std::vector<StagedTensor>& tensors,
                                   double* helper_cpu) {
  std::vector<uint64_t> hashes(tensors.size());
  auto hash_range = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) hashes[i] = xxh64(arena + tensors[i].offset, tensors[i].nbytes);
  };
  size_t total = 0, first_half = 0;
  for (const auto& t : tensors) total += t.nbytes;
  size_t split = 0;
  while (split < tensors.size() && 2 * first_half < total) first_half += tensors[split++].nbytes;
  *helper_cpu = 0;
  std::thread second;
  try {
    second = std::thread([&] {
      const double cpu0 = thread_cpu_seconds();
      hash_range(split, tensors.size());
      *helper_cpu = thread_cpu_seconds() - cpu0;
    });
  } catch (const std::system_error&) {
    hash_range(split, tensors.size());  // no thread to be had: one after the other
  }
  hash_range(0, split);
  if (second.joinable()) second.join();
  return hashes;
}

}  // namespace

Result<int64_t> CheckpointWriter::write(const uint8_t* arena, const std::vector<StagedTensor>& tensors,
                                        const std::string& name,
                                        const std::optional<CheckpointOrigin>& origin) {
  Manifest manifest;
  manifest.origin = origin;
  manifest.entries.resize(tensors.size());
  std::vector<NewBlob> new_blobs;
  // Blobs new in this checkpoint, by (hash, nbytes): a tensor repeated within
  // one checkpoint is written once too.
  std::unordered_map<BlobKey, size_t, KeyHash> new_index;
  const std::vector<uint64_t> hashes = hash_tensors(arena, tensors, &helper_cpu_seconds_);
  for (size_t i = 0; i < tensors.size(); ++i) {
    const StagedTensor& t = tensors[i];
    ManifestEntry& e = manifest.entries[i];
    e.key = t.key;
    e.dtype = t.dtype;
    e.shape = t.shape;
    e.blob.nbytes = t.nbytes;
    if (t.nbytes == 0) continue;  // nothing to store: pack 0
    e.blob.hash = hashes[i];
    const BlobKey key{e.blob.hash, e.blob.nbytes};
    if (const BlobRef* durable = find_durable(key)) {
      e.blob = *durable;
    } else if (new_index.emplace(key, i).second) {
      new_blobs.push_back({arena + t.offset, &e.blob});
    }
  }
  int64_t written = 0;
  if (!new_blobs.empty()) {
    FLOR_ASSIGN_OR_RETURN(written, write_pack(new_blobs));
  }
  // Entries that repeat a blob new in this checkpoint learn its location now.
  for (auto& e : manifest.entries) {
    if (e.blob.nbytes == 0 || e.blob.pack_id != 0) continue;
    e.blob = manifest.entries[new_index.at({e.blob.hash, e.blob.nbytes})].blob;
  }
  const std::string bytes = encode_manifest(manifest);
  FLOR_ASSIGN_OR_RETURN(DurableFile file, DurableFile::create(dir_ + "/" + name, IoMode::kBuffered, env_));
  FLOR_RETURN_IF_ERROR(file.append(bytes.data(), bytes.size()));
  // Before the manifest's name is durable: its bytes, the pack's name (packs/)
  // and, the first time, the packs/ entry itself. No order among these, so the
  // manifest's fsync runs on a helper thread while this one syncs the
  // directories: a journaling filesystem serves both with one commit (each
  // commit costs a device flush, about 10 ms on the reference machine).
  Status manifest_synced;
  std::thread sync_manifest;
  try {
    sync_manifest = std::thread([&] { manifest_synced = file.sync(); });
  } catch (const std::system_error&) {
    manifest_synced = file.sync();  // no thread to be had: one after the other
  }
  Status dirs_synced;
  if (!new_blobs.empty()) dirs_synced = fsync_dir(dir_ + "/" + kPackDir, env_);
  if (dirs_synced.ok() && dir_entry_unsynced_) {
    dirs_synced = fsync_dir(dir_, env_);
    if (dirs_synced.ok()) dir_entry_unsynced_ = false;
  }
  if (sync_manifest.joinable()) sync_manifest.join();
  FLOR_RETURN_IF_ERROR(manifest_synced);
  FLOR_RETURN_IF_ERROR(dirs_synced);
  FLOR_RETURN_IF_ERROR(file.publish());
  FLOR_RETURN_IF_ERROR(fsync_dir(dir_, env_));
  for (const auto& b : new_blobs) known_[{b.ref->hash, b.ref->nbytes}] = *b.ref;
  return written + static_cast<int64_t>(bytes.size());
}

}  // namespace flor::ckpt
