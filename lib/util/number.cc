#include "util/number.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

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

Status bad(const std::string& what, const std::string& text, const std::string& expected) {
  return invalid_argument(what + " '" + text + "': expected " + expected);
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

}  // namespace flor
