// The logs of a run not yet in the store, kept for batched writes (a
// transaction per epoch, or per 4096 rows). Built for a log at every step:
// rows and their strings are reused from one flush to the next, and each call
// site's "file:line" text is built once, so after the first flush a log costs
// no heap allocation that outlives the call. (Allocations that live across
// steps, interleaved with LibTorch's per-step tensors, fragment the heap: the
// training loop then faults and zeroes fresh pages every step.)
//
// New rows are made kRowsAtOnce at a time, their strings sized for a number
// and a call site, in vectors reserved for kMaxRows: rows that are made one
// at a time between those tensors (the buffer outgrowing the last flush's, as
// a step loop's periods lengthen) fragmented the heap the same way, and the
// program touched 93 MB more memory in 3000 steps.
//
// Thread-safety: the training thread only (owned by the Runtime).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace flor::rt {

class LogBuffer {
 public:
  // The most rows that wait for a store write: the Runtime flushes at it.
  static constexpr size_t kMaxRows = 4096;
  static constexpr size_t kRowsAtOnce = 256;

  // Appends a row with these strings and the defaults of a store::LogRow
  // elsewhere (the caller sets run, source, epoch and step). The reference
  // is valid until the next call of add, drop_last or clear.
  // `data`: a typed value's payload (store::LogRow::data), swapped into the
  // row: `*data` gets the largest buffer of the cleared rows back (to reuse
  // for the next payload, so a large value touches no fresh memory). One
  // that needs_file gets its content key (blob_key; an image's ends in
  // ".png") in LogRow::blob; with `hash_later` the key is left for the caller
  // to set (set_blob: the blob writer makes it) before the rows are stored.
  store::LogRow& add(std::string_view name, std::string_view value, const char* type, const char* file,
                     int line, std::string* data = nullptr, bool hash_later = false);
  // A row whose payload lives in a blob file: one over store::kInlineBytes, or an image.
  static bool needs_file(const store::LogRow& row);
  void set_blob(size_t row, std::string key) { rows_[row].blob = std::move(key); }
  // Takes back the row the last add appended (a log the store must not get).
  void drop_last();

  const std::vector<store::LogRow>& rows() const { return rows_; }
  size_t size() const { return rows_.size(); }
  size_t data_bytes() const { return data_bytes_; }  // payload bytes of the pending rows
  // Empties the buffer; the rows' memory is kept for the next ones.
  void clear();
  // Empties the buffer, handing its rows over (for rows held longer than
  // until the next flush: their memory is not reused).
  std::vector<store::LogRow> take();
  // Empties the buffer into `rows`, whose rows (stored by now) become spares
  // and whose memory the buffer takes: two vectors of rows take turns, one
  // filling while the other is stored.
  void exchange(std::vector<store::LogRow>& rows);

 private:
  const std::string& loc(const char* file, int line);
  void make_spare_rows();

  struct Site {
    std::string file;  // the text `file` pointed to (a pointer may be reused for other text)
    std::string loc;   // "file:line"
  };
  std::vector<store::LogRow> rows_;
  size_t data_bytes_ = 0;
  std::vector<store::LogRow> spare_;  // cleared rows, with their strings' capacity
  std::map<std::pair<uintptr_t, int>, Site> sites_;
};

}  // namespace flor::rt
