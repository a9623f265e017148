#include "unified_diff.h"

#include <algorithm>
#include <vector>

namespace flor::instr {
namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

struct Op {
  char kind;  // ' ', '-', '+'
  size_t a, b;  // line indexes in before/after (the one that applies)
};

// Longest common subsequence over the lines between the common prefix and
// suffix; instrumented files differ in a few places, so the middle is small.
std::vector<Op> edit_script(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) {
    ++suffix;
  }
  size_t n = a.size() - prefix - suffix, m = b.size() - prefix - suffix;
  std::vector<std::vector<unsigned>> lcs(n + 1, std::vector<unsigned>(m + 1, 0));
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      lcs[i][j] = a[prefix + i] == b[prefix + j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::vector<Op> ops;
  for (size_t k = 0; k < prefix; ++k) ops.push_back({' ', k, k});
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[prefix + i] == b[prefix + j]) {
      ops.push_back({' ', prefix + i++, prefix + j++});
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      ops.push_back({'-', prefix + i++, prefix + j});
    } else {
      ops.push_back({'+', prefix + i, prefix + j++});
    }
  }
  for (size_t k = 0; k < suffix; ++k) ops.push_back({' ', a.size() - suffix + k, b.size() - suffix + k});
  return ops;
}

std::string hunk_range(size_t start, size_t count) {
  return std::to_string(count == 0 ? start : start + 1) + "," + std::to_string(count);
}

}  // namespace

std::string unified_diff(const std::string& before, const std::string& after, const std::string& before_label,
                         const std::string& after_label, int context) {
  if (before == after) return "";
  std::vector<std::string> a = split_lines(before), b = split_lines(after);
  std::vector<Op> ops = edit_script(a, b);
  std::string out = "--- " + before_label + "\n+++ " + after_label + "\n";
  size_t k = 0;
  while (k < ops.size()) {
    if (ops[k].kind == ' ') {
      ++k;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after
    // the last change that is at most 2*context lines from the next.
    size_t begin = k >= static_cast<size_t>(context) ? k - context : 0;
    size_t end = k;
    for (size_t last = k; end < ops.size(); ++end) {
      if (ops[end].kind != ' ') last = end;
      if (end - last > 2 * static_cast<size_t>(context)) break;
    }
    size_t last_change = end;
    while (last_change > k && ops[last_change - 1].kind == ' ') --last_change;
    end = std::min(ops.size(), last_change + context);
    size_t a_count = 0, b_count = 0;
    std::string body;
    for (size_t x = begin; x < end; ++x) {
      const Op& op = ops[x];
      const std::string& line = op.kind == '+' ? b[op.b] : a[op.a];
      if (op.kind != '+') ++a_count;
      if (op.kind != '-') ++b_count;
      body += std::string(1, op.kind) + line + "\n";
    }
    out += "@@ -" + hunk_range(ops[begin].a, a_count) + " +" + hunk_range(ops[begin].b, b_count) + " @@\n" + body;
    k = end;
  }
  return out;
}

}  // namespace flor::instr
