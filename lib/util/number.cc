#include "util/number.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string_view>

namespace flor {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Advances `i` over digits; true when there was at least one.
bool digits(const std::string& s, size_t& i) {
  size_t start = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  return i > start;
}

// [-]digits, the whole text.
bool integer_syntax(const std::string& s) {
  size_t i = s.size() > 0 && s[0] == '-' ? 1 : 0;
  return digits(s, i) && i == s.size();
}

// [-](digits[.digits]|.digits)[e[+|-]digits], the whole text.
bool real_syntax(const std::string& s) {
  size_t i = s.size() > 0 && s[0] == '-' ? 1 : 0;
  bool whole = digits(s, i);
  bool fraction = false;
  if (i < s.size() && s[i] == '.') fraction = digits(s, ++i);
  if (!whole && !fraction) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits(s, i)) return false;
  }
  return i == s.size();
}

std::string text_of(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string range_of(const std::string& min, const std::string& max, bool unbounded_max) {
  return unbounded_max ? "of at least " + min : "from " + min + " to " + max;
}

// "--eps 'nan': ..." for a flag, "FLOR_EPS='nan': ..." for a variable.
Status bad(const std::string& what, const std::string& text, const std::string& expected) {
  const bool flag = !what.empty() && what[0] == '-';
  return invalid_argument(what + (flag ? " '" : "='") + text + "': expected " + expected);
}

}  // namespace

Result<int64_t> parse_integer(const std::string& what, const std::string& text, int64_t min, int64_t max) {
  const std::string expected =
      "an integer " + range_of(std::to_string(min), std::to_string(max), max == std::numeric_limits<int64_t>::max());
  if (!integer_syntax(text) || (text[0] == '-' && min >= 0)) return bad(what, text, expected);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) return bad(what, text, expected);
  return v;
}

Result<double> parse_real(const std::string& what, const std::string& text, double min, double max) {
  const std::string expected = "a number " + range_of(text_of(min), text_of(max), std::isinf(max));
  if (!real_syntax(text) || (text[0] == '-' && min >= 0)) return bad(what, text, expected);
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  // from_chars reports overflow and underflow (1e-400) as result_out_of_range.
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v) || v < min || v > max) {
    return bad(what, text, expected);
  }
  return v;
}

Result<int64_t> parse_size(const std::string& what, const std::string& text) {
  static constexpr std::string_view kUnits = "KMG";
  const char last = text.empty() ? '\0' : static_cast<char>(std::toupper(static_cast<unsigned char>(text.back())));
  const size_t unit = kUnits.find(last);
  const int shift = unit == std::string::npos ? 0 : 10 * static_cast<int>(unit + 1);
  const std::string number = unit == std::string::npos ? text : text.substr(0, text.size() - 1);
  constexpr int64_t kMax = int64_t{1} << 40;
  auto n = parse_integer(what, number, 0, kMax >> shift);
  if (!n.ok()) return bad(what, text, "a size such as 500K, 10M or 1G, at most 1024G");
  return *n << shift;
}

}  // namespace flor
