// Pending log rows, reused between flushes (why: log_buffer.h).
#include "log_buffer.h"

#include "store/value.h"
#include "typed_values.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace flor::rt {
namespace {

// Call sites are few (one per flor::log in the source); a bound keeps a
// program that passes generated `file` texts from growing the table forever.
constexpr size_t kMaxSites = 4096;

}  // namespace

store::LogRow& LogBuffer::add(std::string_view name, std::string_view value, const char* type,
                              const char* file, int line, std::string* data, bool hash_later) {
  if (spare_.empty()) make_spare_rows();
  if (data && !data->empty()) {  // a payload takes the largest spare buffer, which *data gets back
    auto most = std::max_element(spare_.begin(), spare_.end(), [](const auto& a, const auto& b) {
      return a.data.capacity() < b.data.capacity();
    });
    std::swap(*most, spare_.back());
  }
  rows_.push_back(std::move(spare_.back()));
  spare_.pop_back();
  store::LogRow& row = rows_.back();
  row.run = row.source = 0;
  row.epoch = row.step = -1;
  row.hindsight = false;
  // assign, not move: the strings keep their buffers (a moved-in value's
  // buffer would live until the flush).
  row.name.assign(name);
  row.value.assign(value);
  row.type.assign(type);
  row.loc.assign(loc(file, line));
  if (data) {
    row.data.swap(*data);
  } else {
    row.data.clear();
  }
  row.blob.clear();
  // An image always gets a file (a path viewers open), named .png.
  if (needs_file(row) && !hash_later) {
    row.blob.assign(blob_key(row.data));
    if (row.type == store::kTypeImage) row.blob += ".png";
  }
  data_bytes_ += row.data.size();
  return row;
}

void LogBuffer::make_spare_rows() {
  constexpr size_t kNameBytes = 32, kValueBytes = 32, kLocBytes = 96;  // "%.17g" text is at most 24
  rows_.reserve(kMaxRows);
  spare_.reserve(2 * kMaxRows + kRowsAtOnce);  // the rows of both vectors (exchange)
  for (size_t i = 0; i < kRowsAtOnce; ++i) {
    store::LogRow& row = spare_.emplace_back();
    row.name.reserve(kNameBytes);
    row.value.reserve(kValueBytes);
    row.loc.reserve(kLocBytes);
  }
}

bool LogBuffer::needs_file(const store::LogRow& row) {
  return row.data.size() > store::kInlineBytes || row.type == store::kTypeImage;
}

void LogBuffer::drop_last() {
  data_bytes_ -= rows_.back().data.size();
  spare_.push_back(std::move(rows_.back()));
  rows_.pop_back();
}

void LogBuffer::clear() {
  for (store::LogRow& row : rows_) spare_.push_back(std::move(row));
  rows_.clear();
  data_bytes_ = 0;
}

std::vector<store::LogRow> LogBuffer::take() {
  std::vector<store::LogRow> rows;
  rows.swap(rows_);
  data_bytes_ = 0;
  return rows;
}

void LogBuffer::exchange(std::vector<store::LogRow>& rows) {
  for (store::LogRow& row : rows) spare_.push_back(std::move(row));
  rows.clear();
  rows.swap(rows_);
  rows_.reserve(kMaxRows);
  data_bytes_ = 0;
}

const std::string& LogBuffer::loc(const char* file, int line) {
  const std::pair<uintptr_t, int> key{reinterpret_cast<uintptr_t>(file), line};
  auto it = sites_.find(key);
  if (it != sites_.end() && it->second.file == file) return it->second.loc;
  if (it == sites_.end()) {
    if (sites_.size() >= kMaxSites) sites_.clear();
    it = sites_.emplace(key, Site{}).first;
  }
  it->second.file = file;
  it->second.loc = it->second.file + ":" + std::to_string(line);
  return it->second.loc;
}

}  // namespace flor::rt
