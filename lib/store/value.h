// Typed log values (docs/store-format.md, "Typed values"): whole tensors,
// large tensors' summaries with a histogram, histograms and images. The
// runtime writes them as LogRows (LogRow::data holds the payload); readers
// (flor show, export, query, the dashboard) decode a row into a Value here.
// No LibTorch: tensors are dtype, shape and raw little-endian bytes.
//
// Thread-safety: free functions over their arguments only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"
#include "util/env.h"
#include "util/status.h"

namespace flor::store {

// LogRow::type of the typed values (older types: "int", "float", "double",
// "bool", "string"; "tensor" without data is an old or one-element tensor).
inline constexpr const char* kTypeTensor = "tensor";                  // data: the raw bytes
inline constexpr const char* kTypeTensorSummary = "tensor_summary";   // data: a histogram (JSON)
inline constexpr const char* kTypeHistogram = "histogram";            // data: a histogram (JSON)
inline constexpr const char* kTypeImage = "image";                    // data: PNG

enum class ValueKind { kScalar, kText, kTensor, kHistogram, kImage };
const char* to_string(ValueKind kind);  // "scalar", "text", "tensor", "histogram", "image"

// As TensorBoard's HistogramProto keeps it: counts[i] values in
// [edges[i], edges[i+1]) (the last bucket includes its right edge).
struct Histogram {
  std::vector<double> edges;   // counts.size() + 1 ascending edges
  std::vector<double> counts;
  double min = 0, max = 0, count = 0, sum = 0, sum_squares = 0;
  double mean() const { return count > 0 ? sum / count : 0; }
};
std::string histogram_json(const Histogram& h);  // the payload of kTypeHistogram and kTypeTensorSummary
Result<Histogram> parse_histogram(const std::string& json);

// One decoded log value.
struct Value {
  ValueKind kind = ValueKind::kScalar;
  std::string text;                  // LogRow::value: a number's or string's exact text; else a summary
  std::string dtype;                 // tensor: "float", "double", "int64", "int32", "int16", "int8", "uint8", "bool"
  std::vector<int64_t> shape;        // tensor: its shape; image: height, width, channels
  std::string bytes;                 // tensor stored whole: raw bytes, row-major; image: the PNG file
  std::optional<Histogram> histogram;  // histogram; a large tensor's (kTypeTensorSummary)
  std::string path;                  // a payload kept in a blob file: that file (absolute); else ""
  bool whole() const { return kind == ValueKind::kTensor && !bytes.empty(); }
};

// The file a payload with content key `blob` lives in: DIR/ckpt/values/KEY.
std::string blob_path(const std::string& experiment_dir, const std::string& blob);

// Makes the blob files of `rows` (those with LogRow::blob) durable before
// the rows commit, so a committed row never names a file a crash can lose:
// each missing file is written under a temporary name, then all are fsynced
// (their writeback overlaps), renamed to their keys, and DIR/ckpt/values is
// fsynced once for the whole batch. A file already under its key is kept (it
// was fsynced before its rename) and only gets the folder's fsync. Every
// call goes through `env`. On an error the caller must not commit; files
// renamed before it are whole (fsynced first) and, named by no row, left to
// gc (collect_value_blobs); temporary files are removed.
Status write_value_blobs(const std::string& experiment_dir, const std::vector<LogRow>& rows,
                         Env* env = Env::posix());

// One blob file written ahead of its row's commit (a background writer's
// share of write_value_blobs): DIR/ckpt/values made as there; a file already
// under `blob` is kept; else `len` bytes are written under a temporary name,
// fsynced and renamed to `blob`. The folder's fsync, which makes the name
// durable, is left to write_value_blobs at the commit (which also writes the
// file again when this failed). On an error the temporary file is removed.
Status write_value_blob(const std::string& experiment_dir, const std::string& blob, const char* data, size_t len,
                        Env* env = Env::posix());

// The payload of `row`: LogRow::data, or its blob file's bytes.
Result<std::string> read_payload(const std::string& experiment_dir, const LogRow& row);

// Decodes `row` (reading its blob file when the payload is not inline). A
// missing or damaged blob file, or a payload that does not match its type, is
// kCorrupt naming the row and the file.
Result<Value> read_value(const std::string& experiment_dir, const LogRow& row);

// The short form `flor show` prints: numbers and strings as they are;
// "int64[10,10]", "hist[30] mean=0.25 count=1000", "image 28x28x1".
std::string short_form(const LogRow& row);

// The value as JSON text: a scalar as its number (bool, string as such); a
// whole tensor {"dtype","shape","values": nested arrays}; a summarized one
// {"dtype","shape","summary","histogram"}; a histogram {"edges","counts",
// "min","max","count","sum","sum_squares"}; an image {"width","height",
// "channels","path"} (`image_path`: where the PNG is, written by the caller
// when inline).
std::string value_json(const Value& v, const std::string& image_path = "");

// Element i (row-major) of a whole tensor as exact text.
std::string element_text(const Value& v, int64_t i);
size_t dtype_size(const std::string& dtype);  // 0 for an unknown dtype

// Deletes the files in DIR/ckpt/values that no log row names (left by a
// write whose rows never committed: a crash, a full disk) and temporary
// files. Returns the bytes freed (with dry_run: would free; nothing deleted).
// Must not run while a process records into the store.
Result<int64_t> collect_value_blobs(Store& store, bool dry_run);

// Where two whole tensors of the same dtype and shape first differ.
struct ElementDiff {
  std::vector<int64_t> index;  // per dimension
  std::string recorded, replayed;
  std::string describe() const;  // "first difference at [3,7]: recorded 12, replayed 13"
};
std::optional<ElementDiff> first_difference(const Value& recorded, const Value& replayed);

}  // namespace flor::store
