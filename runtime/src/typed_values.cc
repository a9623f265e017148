// Tensors, histograms and images as log rows (why: typed_values.h; format:
// docs/store-format.md, "Typed values").
#include "typed_values.h"

#include <ATen/ATen.h>
#include <png.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <type_traits>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define FLOR_STATS_AVX 1
#endif

#include "ckpt/tensor_io.h"
#include "util/hash.h"
#include "util/hex.h"
#include "flor/detail/core.h"
#include "store/value.h"

namespace flor::rt {
namespace {

using detail::to_text;

// The store's dtype name (store/value.h) of a dtype stored as it is; "" for
// one that is converted first (half, bfloat16 -> float) or not stored whole.
const char* stored_dtype(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float";
    case at::kDouble: return "double";
    case at::kLong: return "int64";
    case at::kInt: return "int32";
    case at::kShort: return "int16";
    case at::kChar: return "int8";
    case at::kByte: return "uint8";
    case at::kBool: return "bool";
    default: return "";
  }
}

std::string shape_text(at::IntArrayRef sizes) {
  std::string s;
  for (int64_t d : sizes) s += (s.empty() ? "" : ",") + std::to_string(d);
  return "[" + s + "]";
}

// Two passes over double-convertible elements: range, then buckets and sums.
template <typename T>
store::Histogram histogram_of(const T* p, int64_t n, int64_t bins) {
  store::Histogram h;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (int64_t i = 0; i < n; ++i) {
    const double v = static_cast<double>(p[i]);
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (lo > hi) lo = hi = 0;  // no finite value
  const double width = hi > lo ? (hi - lo) / static_cast<double>(bins) : 1.0;
  h.counts.assign(static_cast<size_t>(bins), 0.0);
  for (int64_t b = 0; b <= bins; ++b) h.edges.push_back(b == bins && hi > lo ? hi : lo + width * static_cast<double>(b));
  const double scale = 1.0 / width;
  std::vector<int64_t> counts(static_cast<size_t>(bins), 0);
  double sum = 0, squares = 0;
  int64_t count = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double v = static_cast<double>(p[i]);
    if (!std::isfinite(v)) continue;
    const int64_t b = std::min(bins - 1, static_cast<int64_t>((v - lo) * scale));
    ++counts[static_cast<size_t>(b)];
    sum += v;
    squares += v * v;
    ++count;
  }
  for (int64_t b = 0; b < bins; ++b) h.counts[static_cast<size_t>(b)] = static_cast<double>(counts[static_cast<size_t>(b)]);
  h.min = lo;
  h.max = hi;
  h.count = static_cast<double>(count);
  h.sum = sum;
  h.sum_squares = squares;
  return h;
}

store::Histogram histogram_of(const at::Tensor& t, int64_t bins) {
  at::Tensor c = t.detach().to(at::kCPU).contiguous();
  if (c.scalar_type() == at::kFloat) return histogram_of(c.data_ptr<float>(), c.numel(), bins);
  if (c.scalar_type() != at::kDouble) c = c.to(at::kDouble);
  return histogram_of(c.data_ptr<double>(), c.numel(), bins);
}

// Sum, min and max of a whole tensor's elements, gathered while its bytes
// are copied, in kLanes independent lanes held in vector registers (GCC and
// Clang vector types: SSE2 or NEON pairs, AVX quads), so the adds do not wait
// on one another; the lanes are folded in a fixed order: the same bytes give
// the same text. A NaN is skipped by the comparisons and poisons the sum;
// min and max are then NaN (as torch's are).
using Vec = double __attribute__((vector_size(2 * sizeof(double))));
constexpr size_t kVecs = 4, kLanes = 2 * kVecs;
struct Stats {
  Vec sum[kVecs] = {}, lo[kVecs], hi[kVecs];
  Stats() {
    const double inf = std::numeric_limits<double>::infinity();
    for (size_t k = 0; k < kVecs; ++k) lo[k] = Vec{inf, inf}, hi[k] = Vec{-inf, -inf};
  }
  template <typename T>
  void add(const T* p, size_t n) {
    size_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
      for (size_t k = 0; k < kVecs; ++k) {
        const Vec v{static_cast<double>(p[i + 2 * k]), static_cast<double>(p[i + 2 * k + 1])};
        sum[k] += v;
        lo[k] = v < lo[k] ? v : lo[k];
        hi[k] = v > hi[k] ? v : hi[k];
      }
    }
    for (; i < n; ++i) {
      const auto v = static_cast<double>(p[i]);
      sum[0][0] += v;
      lo[0][0] = v < lo[0][0] ? v : lo[0][0];
      hi[0][0] = v > hi[0][0] ? v : hi[0][0];
    }
  }
  template <typename T>
  std::string text(const T* p, size_t n) const {
    double s = 0, mn = lo[0][0], mx = hi[0][0];
    for (size_t k = 0; k < kVecs; ++k) {
      for (size_t j = 0; j < 2; ++j) {
        s += sum[k][j];
        mn = std::min(mn, lo[k][j]);
        mx = std::max(mx, hi[k][j]);
      }
    }
    if (std::isnan(s) && std::any_of(p, p + n, [](T v) { return std::isnan(static_cast<double>(v)); })) {
      mn = mx = std::numeric_limits<double>::quiet_NaN();
    }
    return " mean=" + to_text(s / static_cast<double>(n)) + " min=" + to_text(mn) + " max=" + to_text(mx);
  }
};

#if FLOR_STATS_AVX
// The same eight lanes on a CPU with AVX, fused with the copy: lanes 0-3 and
// 4-7 in two 4-double registers, so the adds (which wait on one another
// within a lane: the order fixes the sum's rounding) overlap the loads and
// stores. vminpd(v, lo) is v < lo ? v : lo and vmaxpd(v, hi) is v > hi ? v :
// hi, exactly (a NaN and an equal zero keep lo or hi), as in Stats::add.
// Returns how many of the `n` elements it took: whole groups of kLanes; the
// caller adds the rest (the tail goes to lane 0, as in Stats::add).
template <bool kCopy, typename T>
__attribute__((target("avx"))) size_t copy_add_avx(Stats& st, const T* src, T* dst, size_t n) {
  static_assert(kLanes == 8 && sizeof st.sum == 8 * sizeof(double), "two 4-double registers hold the lanes");
  auto* sum = reinterpret_cast<double*>(st.sum);
  auto* lo = reinterpret_cast<double*>(st.lo);
  auto* hi = reinterpret_cast<double*>(st.hi);
  __m256d s0 = _mm256_loadu_pd(sum), s1 = _mm256_loadu_pd(sum + 4);
  __m256d l0 = _mm256_loadu_pd(lo), l1 = _mm256_loadu_pd(lo + 4);
  __m256d h0 = _mm256_loadu_pd(hi), h1 = _mm256_loadu_pd(hi + 4);
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    __m256d a, b;
    if constexpr (std::is_same_v<T, float>) {
      const __m256 f = _mm256_loadu_ps(src + i);
      if constexpr (kCopy) _mm256_storeu_ps(dst + i, f);
      a = _mm256_cvtps_pd(_mm256_castps256_ps128(f));
      b = _mm256_cvtps_pd(_mm256_extractf128_ps(f, 1));
    } else {
      static_assert(std::is_same_v<T, double>);
      a = _mm256_loadu_pd(src + i);
      b = _mm256_loadu_pd(src + i + 4);
      if constexpr (kCopy) _mm256_storeu_pd(dst + i, a), _mm256_storeu_pd(dst + i + 4, b);
    }
    s0 = _mm256_add_pd(s0, a);
    s1 = _mm256_add_pd(s1, b);
    l0 = _mm256_min_pd(a, l0);
    l1 = _mm256_min_pd(b, l1);
    h0 = _mm256_max_pd(a, h0);
    h1 = _mm256_max_pd(b, h1);
  }
  _mm256_storeu_pd(sum, s0), _mm256_storeu_pd(sum + 4, s1);
  _mm256_storeu_pd(lo, l0), _mm256_storeu_pd(lo + 4, l1);
  _mm256_storeu_pd(hi, h0), _mm256_storeu_pd(hi + 4, h1);
  return i;
}

bool has_avx() {
  static const bool kAvx = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx") != 0;
  }();
  return kAvx;
}
#endif

// Copies (from `src`; nullptr: `dst` holds the bytes already) and
// summarizes `nbytes` of T elements: with AVX (float, double) in one fused
// pass, else in L1-sized chunks, the statistics reading the chunk the copy
// just wrote; either way main memory is crossed once and the lanes get the
// same elements in the same order (the same text). The content key (the
// hash) is left to the blob writer, off the training thread.
template <typename T>
std::string copy_stats(const uint8_t* src, uint8_t* dst, size_t nbytes) {
  if constexpr (std::is_same_v<T, bool>) {
    if (src) std::memcpy(dst, src, nbytes);
    return "";
  } else {
    constexpr size_t kChunk = 16 << 10;  // a multiple of kLanes * sizeof(T): lanes line up across chunks
    Stats stats;
    size_t start = 0;  // bytes already copied and summarized
#if FLOR_STATS_AVX
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      if (has_avx()) {
        auto* to = reinterpret_cast<T*>(dst);
        const size_t n = nbytes / sizeof(T);
        start = sizeof(T) * (src ? copy_add_avx<true>(stats, reinterpret_cast<const T*>(src), to, n)
                                 : copy_add_avx<false>(stats, static_cast<const T*>(to), to, n));
      }
    }
#endif
    for (size_t off = start; off < nbytes; off += kChunk) {
      const size_t n = std::min(kChunk, nbytes - off);
      if (src) std::memcpy(dst + off, src + off, n);
      stats.add(reinterpret_cast<const T*>(dst + off), n / sizeof(T));
    }
    return stats.text(reinterpret_cast<const T*>(dst), nbytes / sizeof(T));
  }
}

// The summary text of the stored dtypes (stored_dtype), dispatched.
std::string copy_stats(at::ScalarType t, const uint8_t* src, uint8_t* dst, size_t nbytes) {
  switch (t) {
    case at::kFloat: return copy_stats<float>(src, dst, nbytes);
    case at::kDouble: return copy_stats<double>(src, dst, nbytes);
    case at::kLong: return copy_stats<int64_t>(src, dst, nbytes);
    case at::kInt: return copy_stats<int32_t>(src, dst, nbytes);
    case at::kShort: return copy_stats<int16_t>(src, dst, nbytes);
    case at::kChar: return copy_stats<int8_t>(src, dst, nbytes);
    case at::kByte: return copy_stats<uint8_t>(src, dst, nbytes);
    default: return copy_stats<bool>(src, dst, nbytes);
  }
}

void png_append(png_structp png, png_bytep bytes, png_size_t n) {
  static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<const char*>(bytes), n);
}

// [H,W,C] uint8 (contiguous) -> PNG. libpng reports errors by longjmp.
Result<std::string> encode_png(const at::Tensor& hwc) {
  const auto h = static_cast<png_uint_32>(hwc.size(0)), w = static_cast<png_uint_32>(hwc.size(1));
  const int c = static_cast<int>(hwc.size(2));
  std::string out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    return internal_error("libpng: cannot create a PNG writer (out of memory?)");
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return internal_error("libpng failed to encode a " + std::to_string(h) + "x" + std::to_string(w) + " image");
  }
  png_set_write_fn(png, &out, png_append, nullptr);
  png_set_compression_level(png, 1);  // speed over size: a log is written every epoch
  const int color = c == 1 ? PNG_COLOR_TYPE_GRAY : c == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGBA;
  png_set_IHDR(png, info, w, h, 8, color, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  const auto* base = hwc.data_ptr<uint8_t>();
  for (png_uint_32 y = 0; y < h; ++y) png_write_row(png, const_cast<png_bytep>(base + static_cast<size_t>(y) * w * c));
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

bool channels_ok(int64_t c) { return c == 1 || c == 3 || c == 4; }

const char kImageAccepted[] =
    "accepted: [H,W], [C,H,W], [H,W,C] (C = 1, 3 or 4) or a batch [N,C,H,W] (a grid); uint8, or float in [0,1]";

// A batch [N,C,H,W] as one [C, rows*H, cols*W] grid, cols = ceil(sqrt(N)).
at::Tensor grid(const at::Tensor& b) {
  const int64_t n = b.size(0), c = b.size(1), h = b.size(2), w = b.size(3);
  const auto cols = static_cast<int64_t>(std::ceil(std::sqrt(static_cast<double>(n))));
  const int64_t rows = (n + cols - 1) / cols;
  at::Tensor g = at::zeros({c, rows * h, cols * w}, b.options());
  for (int64_t i = 0; i < n; ++i) {
    g.narrow(1, (i / cols) * h, h).narrow(2, (i % cols) * w, w).copy_(b[i]);
  }
  return g;
}

}  // namespace

std::string blob_key(const char* data, size_t len) { return hex64(xxh64(data, len)) + "-" + std::to_string(len); }
std::string blob_key(const std::string& data) { return blob_key(data.data(), data.size()); }

TypedValue tensor_value(const at::Tensor& t, int64_t max_elements, std::string buffer) {
  if (!t.defined() || t.numel() == 1) return {detail::tensor_text(t), store::kTypeTensor, ""};
  at::Tensor c = t.detach();
  if (c.scalar_type() == at::kHalf || c.scalar_type() == at::kBFloat16) c = c.to(at::kFloat);
  const char* dtype = stored_dtype(c.scalar_type());
  if (c.numel() > max_elements || !*dtype) {
    const std::string text = detail::tensor_text(t);
    if (c.is_complex()) return {text, store::kTypeTensor, ""};
    return {text, store::kTypeTensorSummary, store::histogram_json(histogram_of(c, 30))};
  }
  TypedValue v{std::string(dtype) + shape_text(c.sizes()), store::kTypeTensor, std::move(buffer)};
  const size_t nbytes = tensor_nbytes(c);
  v.data.resize(nbytes);  // a buffer of this size already: no bytes written
  auto* dst = reinterpret_cast<uint8_t*>(v.data.data());
  // A dense CPU tensor is read in place; any other (CUDA, strided) is first
  // gathered into the buffer (for CUDA: the one device-to-host copy).
  const uint8_t* src = nullptr;
  if (c.device().is_cpu() && c.is_contiguous()) {
    src = static_cast<const uint8_t*>(c.data_ptr());
  } else if (Status s = copy_to_host(c, dst, "flor::log"); !s.ok()) {
    return {detail::tensor_text(t), store::kTypeTensor, ""};
  }
  if (c.numel() > 0) v.text += copy_stats(c.scalar_type(), src, dst, nbytes);
  return v;
}

Result<TypedValue> histogram_value(const at::Tensor& t, int64_t bins) {
  if (!t.defined() || t.numel() == 0) return invalid_argument("an undefined or empty tensor has no histogram");
  if (bins < 1) return invalid_argument("bins = " + std::to_string(bins) + ": give at least 1");
  if (t.is_complex()) return invalid_argument("a complex tensor has no histogram: give a real one");
  store::Histogram h = histogram_of(t, bins);
  std::string text = "hist[" + std::to_string(bins) + "] mean=" + to_text(h.mean()) + " min=" + to_text(h.min) +
                     " max=" + to_text(h.max) + " count=" + to_text(static_cast<long long>(h.count));
  return TypedValue{std::move(text), store::kTypeHistogram, store::histogram_json(h)};
}

Result<TypedValue> image_value(const at::Tensor& t) {
  if (!t.defined()) return invalid_argument(std::string("an undefined tensor is no image; ") + kImageAccepted);
  const std::string got = std::string(stored_dtype(t.scalar_type())) + shape_text(t.sizes());
  at::Tensor x = t.detach().to(at::kCPU);
  if (x.dim() == 4) {
    if (!channels_ok(x.size(1)) || x.size(0) < 1) return invalid_argument("shape " + got + " is no image batch; " + kImageAccepted);
    x = grid(x);
  }
  if (x.dim() == 2) {
    x = x.unsqueeze(2);
  } else if (x.dim() == 3 && channels_ok(x.size(0))) {
    x = x.permute({1, 2, 0});
  } else if (!(x.dim() == 3 && channels_ok(x.size(2)))) {
    return invalid_argument("shape " + shape_text(t.sizes()) + " is no image; " + kImageAccepted);
  }
  if (x.size(0) < 1 || x.size(1) < 1) return invalid_argument("shape " + shape_text(t.sizes()) + " is empty; " + kImageAccepted);
  if (x.is_floating_point()) {
    const double lo = x.min().item<double>(), hi = x.max().item<double>();
    if (!(lo >= 0 && hi <= 1)) {
      return invalid_argument("float pixels must lie in [0,1], these span [" + to_text(lo) + ", " + to_text(hi) +
                              "]; " + kImageAccepted);
    }
    x = x.mul(255.0).round().to(at::kByte);
  } else if (x.scalar_type() != at::kByte) {
    return invalid_argument(std::string("dtype ") + c10::toString(t.scalar_type()) + " is not a pixel type; " +
                            kImageAccepted);
  }
  x = x.contiguous();
  FLOR_ASSIGN_OR_RETURN(std::string png, encode_png(x));
  char text[80];
  std::snprintf(text, sizeof text, "image %" PRId64 "x%" PRId64 "x%" PRId64, x.size(0), x.size(1), x.size(2));
  return TypedValue{text, store::kTypeImage, std::move(png)};
}

}  // namespace flor::rt
