// Exact text of logged and recorded values (docs/store-format.md): numbers in
// shortest round-trip form, so equal text <=> bit-identical value.
#include <ATen/ATen.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "flor/detail/core.h"
#include "util/hash.h"
#include "util/hex.h"

namespace flor::detail {
namespace {

// The digit count the search for the shortest text starts at. For a double,
// std::to_chars's shortest round-trip form has d significant digits and no
// shorter text parses back to v (parsing rounds correctly), so the search
// starts at d and usually ends there. A float's check goes through double
// (parse, then a cast), where d is no proof: its search starts at 6.
template <typename T>
int first_digits(T v) {
  if constexpr (std::is_same_v<T, double>) {
    char sci[40];
    const auto res = std::to_chars(sci, sci + sizeof(sci), v, std::chars_format::scientific);
    if (res.ec != std::errc()) return 6;
    const char* e = std::find(sci, res.ptr, 'e');
    int digits = 0;
    for (const char* c = sci; c != e; ++c) digits += *c >= '0' && *c <= '9';
    return std::max(6, digits);
  } else {
    return 6;
  }
}

// The shortest %.Ng (N >= 6) that parses back to the same value. This runs on
// every flor::log: std::to_chars with a precision prints what printf's %.Ng
// prints (in the C locale) and std::from_chars parses as strtod does, each in
// tens of nanoseconds instead of microseconds.
template <typename T>
std::string shortest(T v, int max_digits) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[40];
  char* end = buf;
  for (int digits = first_digits(v); digits <= max_digits; ++digits) {
    end = std::to_chars(buf, buf + sizeof(buf), static_cast<double>(v), std::chars_format::general, digits).ptr;
    double back = 0;
    std::from_chars(buf, end, back);
    if (static_cast<T>(back) == v && std::signbit(static_cast<T>(back)) == std::signbit(v)) break;
  }
  return std::string(buf, end);
}

// FNV-1a over the bytes: a stable fingerprint of a tensor's exact contents.
// Its basis is not FNV's standard one (a digit short), and recorded values
// carry it: kept so that they compare with new ones.
constexpr uint64_t kTensorFingerprintBasis = 1469598103934665603ull;

}  // namespace

std::string to_text(double v) { return shortest(v, 17); }
std::string to_text(float v) { return shortest(v, 9); }
std::string to_text(long long v) { return std::to_string(v); }
std::string to_text(unsigned long long v) { return std::to_string(v); }
std::string to_text(bool v) { return v ? "true" : "false"; }

bool parse_text(const std::string& s, double* v) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  *v = std::strtod(s.c_str(), &end);
  return errno == 0 && *end == '\0';
}

bool parse_text(const std::string& s, long long* v) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  *v = std::strtoll(s.c_str(), &end, 10);
  return errno == 0 && *end == '\0';
}

bool parse_text(const std::string& s, unsigned long long* v) {
  if (s.empty() || s[0] == '-') return false;
  char* end = nullptr;
  errno = 0;
  *v = std::strtoull(s.c_str(), &end, 10);
  return errno == 0 && *end == '\0';
}

bool parse_text(const std::string& s, bool* v) {
  if (s == "true" || s == "1" || s == "yes" || s == "on") return *v = true, true;
  if (s == "false" || s == "0" || s == "no" || s == "off") return *v = false, true;
  return false;
}

std::string tensor_text(const at::Tensor& t) {
  if (!t.defined()) return "undefined";
  at::Tensor c = t.detach().to(at::kCPU).contiguous();
  if (c.numel() == 1) {
    if (c.scalar_type() == at::kFloat) return to_text(c.item<float>());
    if (c.is_floating_point()) return to_text(c.item<double>());
    if (c.scalar_type() == at::kBool) return to_text(c.item<bool>());
    return to_text(static_cast<long long>(c.item<int64_t>()));
  }
  std::string shape;
  for (int64_t d : c.sizes()) shape += (shape.empty() ? "" : ",") + std::to_string(d);
  const std::string hash =
      hex64(fnv1a64(c.data_ptr(), static_cast<size_t>(c.nbytes()), kTensorFingerprintBasis));
  std::string text = std::string(c.dtype().name()) + "[" + shape + "]";
  if (c.numel() > 0 && (c.is_floating_point() || c.scalar_type() != at::kBool)) {
    at::Tensor d = c.to(at::kDouble);
    text += " mean=" + to_text(d.mean().item<double>()) + " min=" + to_text(d.min().item<double>()) +
            " max=" + to_text(d.max().item<double>());
  }
  return text + " fnv=" + hash;
}

}  // namespace flor::detail
