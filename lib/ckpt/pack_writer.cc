#include "ckpt/pack_writer.h"

#include <cstring>

namespace flor::ckpt {

static_assert(kSlotAlign >= kPackHeaderBytes && kSlotAlign % kBlobAlign == 0);

Result<PackWriter> PackWriter::create(const std::string& dir, const std::vector<BlobRef>& blobs, IoMode mode,
                                      Env* env) {
  const uint64_t id = pack_id_of(blobs);
  FLOR_ASSIGN_OR_RETURN(DurableFile file, DurableFile::create(pack_path(dir, id), mode, env));
  auto header = std::make_unique<Slot>();
  const std::string bytes = encode_pack_header(id, static_cast<uint32_t>(blobs.size()));
  std::memset(header->bytes, 0, sizeof(header->bytes));
  std::memcpy(header->bytes, bytes.data(), bytes.size());
  return PackWriter(id, std::move(file), std::move(header));
}

Status PackWriter::append_slots(const std::vector<DurableFile::Piece>& pieces) {
  if (!header_) return file_.append_all(pieces);
  std::vector<DurableFile::Piece> all{{header_->bytes, sizeof(header_->bytes)}};
  all.insert(all.end(), pieces.begin(), pieces.end());
  FLOR_RETURN_IF_ERROR(file_.append_all(all));
  header_.reset();
  return Status();
}

Status PackWriter::append(const uint8_t* data, size_t len) { return append_slots({{data, len}}); }

Status PackWriter::end_blob() {
  if (header_) FLOR_RETURN_IF_ERROR(append_slots({}));  // a pack of empty blobs still has its header
  return file_.pad_to(kSlotAlign);
}

Status PackWriter::publish() {
  if (header_) FLOR_RETURN_IF_ERROR(append_slots({}));
  FLOR_RETURN_IF_ERROR(file_.sync());
  return file_.publish();
}

Status PackWriter::commit() {
  if (header_) FLOR_RETURN_IF_ERROR(append_slots({}));
  return file_.commit();
}

}  // namespace flor::ckpt
