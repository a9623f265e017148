#include "ckpt/format.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "util/file.h"
#include "util/hash.h"
#include "util/hex.h"

namespace flor::ckpt {
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the format is little-endian");

constexpr size_t kManifestHeaderBytes = 16;              // magic, version, entry count
constexpr size_t kTrailerBytes = 8;                      // xxh64 of everything before it
constexpr uint64_t kPackIdSeed = 0x666c6f72706b3031ULL;  // "florpk01"
constexpr int kMaxDims = 64;

struct DTypeInfo {
  size_t size;
  const char* name;
};

const DTypeInfo* dtype_info(uint8_t code) {
  static const DTypeInfo kTable[] = {
      {0, "invalid"}, {4, "float32"},   {8, "float64"},     {2, "float16"}, {2, "bfloat16"},
      {1, "int8"},    {1, "uint8"},     {2, "int16"},       {4, "int32"},   {8, "int64"},
      {1, "bool"},    {8, "complex64"}, {16, "complex128"},
  };
  if (code == 0 || code >= sizeof(kTable) / sizeof(kTable[0])) return nullptr;
  return &kTable[code];
}

template <typename T>
void put(std::string* out, T value) {
  out->append(reinterpret_cast<const char*>(&value), sizeof(value));
}

// Bounds-checked reader over a manifest body: every read can fail, so garbage
// never reads past the end.
class Reader {
 public:
  Reader(const std::string& bytes, size_t begin, size_t end)
      : p_(bytes.data() + begin), end_(bytes.data() + end) {}
  template <typename T>
  bool get(T* value) {
    if (static_cast<size_t>(end_ - p_) < sizeof(T)) return false;
    std::memcpy(value, p_, sizeof(T));
    p_ += sizeof(T);
    return true;
  }
  bool get_string(size_t len, std::string* value) {
    if (static_cast<size_t>(end_ - p_) < len) return false;
    value->assign(p_, len);
    p_ += len;
    return true;
  }
  bool at_end() const { return p_ == end_; }

 private:
  const char* p_;
  const char* end_;
};

bool read_entry(Reader* in, ManifestEntry* e) {
  uint16_t key_len = 0;
  uint8_t ndim = 0;
  if (!in->get(&key_len) || !in->get_string(key_len, &e->key)) return false;
  if (!in->get(&e->dtype) || !in->get(&ndim) || ndim > kMaxDims) return false;
  e->shape.resize(ndim);
  for (auto& d : e->shape) {
    if (!in->get(&d) || d < 0) return false;
  }
  return in->get(&e->blob.nbytes) && in->get(&e->blob.hash) && in->get(&e->blob.pack_id) &&
         in->get(&e->blob.offset);
}

bool read_origin(Reader* in, CheckpointOrigin* o) {
  uint16_t block_len = 0;
  return in->get(&o->run) && in->get(&o->epoch) && in->get(&o->seq) && in->get(&block_len) &&
         in->get_string(block_len, &o->block);
}

// The stored size must agree with dtype and shape, or restore would overrun.
bool entry_consistent(const ManifestEntry& e) {
  const size_t elem = dtype_size(e.dtype);
  if (elem == 0) return false;
  uint64_t n = elem;
  for (int64_t d : e.shape) {
    if (d != 0 && n > UINT64_MAX / static_cast<uint64_t>(d)) return false;
    n *= static_cast<uint64_t>(d);
  }
  return n == e.blob.nbytes && (e.blob.nbytes == 0 || e.blob.pack_id != 0);
}

Status bad_manifest(const std::string& path, const std::string& why) {
  return corrupt("checkpoint " + path + " is corrupt (" + why +
                 "): it cannot be restored; replay will re-execute instead");
}

}  // namespace

std::string to_string(const CheckpointOrigin& o) {
  std::string where = o.seq < 0 ? "end of iteration '" + o.block + "'"
                                : "block '" + o.block + "' (#" + std::to_string(o.seq) + ")";
  return "run " + std::to_string(o.run) + ", epoch " + std::to_string(o.epoch) + ", " + where;
}

size_t dtype_size(uint8_t code) {
  const DTypeInfo* info = dtype_info(code);
  return info ? info->size : 0;
}

const char* dtype_name(uint8_t code) {
  const DTypeInfo* info = dtype_info(code);
  return info ? info->name : "unknown";
}

std::string encode_manifest(const Manifest& manifest) {
  std::string out(kManifestMagic, sizeof(kManifestMagic));
  put<uint32_t>(&out, manifest.origin ? kManifestVersion : kManifestVersionNoOrigin);
  put<uint32_t>(&out, static_cast<uint32_t>(manifest.entries.size()));
  if (const auto& o = manifest.origin) {
    FLOR_CHECK(o->block.size() <= UINT16_MAX);
    put<int64_t>(&out, o->run);
    put<int64_t>(&out, o->epoch);
    put<int64_t>(&out, o->seq);
    put<uint16_t>(&out, static_cast<uint16_t>(o->block.size()));
    out += o->block;
  }
  for (const auto& e : manifest.entries) {
    FLOR_CHECK(e.key.size() <= UINT16_MAX && e.shape.size() <= kMaxDims);
    put<uint16_t>(&out, static_cast<uint16_t>(e.key.size()));
    out += e.key;
    put<uint8_t>(&out, e.dtype);
    put<uint8_t>(&out, static_cast<uint8_t>(e.shape.size()));
    for (int64_t d : e.shape) put<int64_t>(&out, d);
    put<uint64_t>(&out, e.blob.nbytes);
    put<uint64_t>(&out, e.blob.hash);
    put<uint64_t>(&out, e.blob.pack_id);
    put<uint64_t>(&out, e.blob.offset);
  }
  put<uint64_t>(&out, xxh64(out.data(), out.size()));
  return out;
}

Result<Manifest> decode_manifest(const std::string& bytes, const std::string& path) {
  if (bytes.size() < kManifestHeaderBytes + kTrailerBytes) {
    return bad_manifest(path, "truncated: " + std::to_string(bytes.size()) + " bytes");
  }
  if (std::memcmp(bytes.data(), kManifestMagic, sizeof(kManifestMagic)) != 0) {
    return bad_manifest(path, "not a flor checkpoint: bad magic");
  }
  const size_t body_end = bytes.size() - kTrailerBytes;
  uint64_t stored_sum = 0;
  std::memcpy(&stored_sum, bytes.data() + body_end, sizeof(stored_sum));
  if (xxh64(bytes.data(), body_end) != stored_sum) {
    return bad_manifest(path, "checksum mismatch, or truncated");
  }
  Reader in(bytes, sizeof(kManifestMagic), body_end);
  uint32_t version = 0, count = 0;
  in.get(&version);
  in.get(&count);
  if (version != kManifestVersion && version != kManifestVersionNoOrigin) {
    return bad_manifest(path, "format version " + std::to_string(version) + ", this flor reads " +
                                  std::to_string(kManifestVersionNoOrigin) + " and " +
                                  std::to_string(kManifestVersion));
  }
  Manifest manifest;
  if (version == kManifestVersion && !read_origin(&in, &manifest.origin.emplace())) {
    return bad_manifest(path, "malformed origin");
  }
  manifest.entries.resize(count);
  for (auto& e : manifest.entries) {
    if (!read_entry(&in, &e)) return bad_manifest(path, "malformed entry table");
    if (!entry_consistent(e)) return bad_manifest(path, "inconsistent entry '" + e.key + "'");
  }
  if (!in.at_end()) return bad_manifest(path, "trailing bytes after the entry table");
  return manifest;
}

Result<Manifest> read_manifest(const std::string& path) {
  FLOR_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
  return decode_manifest(bytes, path);
}

uint64_t pack_id_of(const std::vector<BlobRef>& blobs) {
  Xxh64 h(kPackIdSeed);
  for (const auto& b : blobs) {
    h.update(&b.hash, sizeof(b.hash));
    h.update(&b.nbytes, sizeof(b.nbytes));
  }
  const uint64_t id = h.digest();
  return id == 0 ? 1 : id;  // 0 means "no pack"
}

std::string pack_path(const std::string& dir, uint64_t pack_id) {
  return dir + "/" + kPackDir + "/" + hex64(pack_id) + ".pack";
}

bool parse_pack_file_name(const std::string& name, uint64_t* pack_id) {
  if (name.size() != 21 || name.compare(16, 5, ".pack") != 0) return false;
  uint64_t id = 0;
  for (size_t i = 0; i < 16; ++i) {
    const char c = name[i];
    int v;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else
      return false;
    id = (id << 4) | static_cast<uint64_t>(v);
  }
  *pack_id = id;
  return true;
}

std::string encode_pack_header(uint64_t pack_id, uint32_t blob_count) {
  std::string out(kPackMagic, sizeof(kPackMagic));
  put<uint32_t>(&out, kPackVersion);
  put<uint32_t>(&out, blob_count);
  put<uint64_t>(&out, pack_id);
  put<uint64_t>(&out, xxh64(out.data(), out.size()));
  out.resize(kPackHeaderBytes, '\0');
  return out;
}

Status check_pack_header(const std::string& header, uint64_t pack_id, const std::string& path) {
  uint32_t version = 0;
  uint64_t id = 0, sum = 0;
  if (header.size() != kPackHeaderBytes || std::memcmp(header.data(), kPackMagic, sizeof(kPackMagic)) != 0) {
    return corrupt("pack " + path + " is corrupt (bad magic)");
  }
  std::memcpy(&version, header.data() + 8, 4);
  std::memcpy(&id, header.data() + 16, 8);
  std::memcpy(&sum, header.data() + 24, 8);
  if (sum != xxh64(header.data(), 24)) return corrupt("pack " + path + " is corrupt (header checksum)");
  if (version != kPackVersion) {
    return corrupt("pack " + path + " has format version " + std::to_string(version));
  }
  if (id != pack_id) return corrupt("pack " + path + " is corrupt (its id does not match its name)");
  return Status();
}

Status read_blob(const std::string& dir, const BlobRef& ref, const BlobSink& sink) {
  const std::string path = pack_path(dir, ref.pack_id);
  Result<Fd> fd = open_read(path);
  if (!fd.ok()) {
    const Code code = fd.status().code() == Code::kNotFound ? Code::kCorrupt : fd.status().code();
    return Status(code, "pack " + path + " cannot be opened: " + fd.status().message());
  }
  FLOR_ASSIGN_OR_RETURN(int64_t size, file_size(*fd, path));
  if (size < static_cast<int64_t>(kPackHeaderBytes) || ref.offset < kPackHeaderBytes ||
      ref.offset > static_cast<uint64_t>(size) || ref.nbytes > static_cast<uint64_t>(size) - ref.offset) {
    return corrupt("pack " + path + " is truncated or corrupt (a blob lies outside it)");
  }
  std::string header(kPackHeaderBytes, '\0');
  FLOR_RETURN_IF_ERROR(pread_exact(*fd, header.data(), header.size(), 0, path));
  FLOR_RETURN_IF_ERROR(check_pack_header(header, ref.pack_id, path));
  constexpr size_t kChunk = size_t{4} << 20;
  std::vector<uint8_t> buf(static_cast<size_t>(std::min<uint64_t>(ref.nbytes, kChunk)));
  Xxh64 hash;
  for (uint64_t done = 0; done < ref.nbytes;) {
    const size_t len = static_cast<size_t>(std::min<uint64_t>(ref.nbytes - done, kChunk));
    FLOR_RETURN_IF_ERROR(pread_exact(*fd, buf.data(), len, static_cast<int64_t>(ref.offset + done), path));
    hash.update(buf.data(), len);
    if (sink) FLOR_RETURN_IF_ERROR(sink(buf.data(), len));
    done += len;
  }
  if (hash.digest() != ref.hash) return corrupt("pack " + path + ": a blob fails its checksum");
  return Status();
}

}  // namespace flor::ckpt
