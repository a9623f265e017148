// The runtime's side of typed log values (lib/store/value.h has the format
// and the reading side): a tensor, histogram or image becomes the text, type
// and payload of one log row.
//
// Thread-safety: pure functions of their arguments.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>

#include "util/status.h"

namespace flor::rt {

struct TypedValue {
  std::string text;          // LogRow::value
  const char* type = "";     // LogRow::type (store/value.h)
  std::string data;          // LogRow::data
};

// At most `max_elements` elements: stored whole (raw bytes); one element: its
// number (as before typed values); larger: the summary and a 30-bin histogram.
// A whole tensor is read once: copied into `buffer` (whose memory becomes
// the value's data: pass back a string of an earlier value and no fresh
// pages are touched) and summarized in one pass. Not hashed: its content key
// (blob_key) is made by the blob writer, off the training thread.
TypedValue tensor_value(const at::Tensor& t, int64_t max_elements, std::string buffer = {});

// `bins` equal buckets from the smallest to the largest finite value (NaN
// and infinities are left out). An undefined or empty tensor, or bins < 1, is
// kInvalidArgument.
Result<TypedValue> histogram_value(const at::Tensor& t, int64_t bins);

// A PNG of [H,W], [C,H,W] or [H,W,C] (C = 1, 3 or 4), or of a batch
// [N,C,H,W] laid out as a grid; uint8, or floating point in [0,1]. Anything
// else is kInvalidArgument naming what is accepted.
Result<TypedValue> image_value(const at::Tensor& t);

// The content key of a payload kept in a blob file: "<xxh64 hex>-<bytes>".
std::string blob_key(const char* data, size_t len);
std::string blob_key(const std::string& data);

}  // namespace flor::rt
