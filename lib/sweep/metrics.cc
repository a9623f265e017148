#include "sweep/metrics.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace flor::sweep {
namespace {

// kKeep: a metric's NaN or inf is a value to show (a diverging run), not noise.
enum class NonFinite { kReject, kKeep };

bool parse_number(const std::string& s, double* out, NonFinite non_finite = NonFinite::kReject) {
  if (s.empty()) return false;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (*end != '\0' || (!std::isfinite(v) && non_finite == NonFinite::kReject)) return false;
  *out = v;
  return true;
}

// "3/5" -> 3.
bool parse_epoch(const std::string& s, int64_t* out) {
  std::string head = s.substr(0, s.find('/'));
  double v = 0;
  if (!parse_number(head, &v) || v != std::floor(v)) return false;
  *out = static_cast<int64_t>(v);
  return true;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_name(const std::string& w) {
  if (w.empty() || !std::isalpha(static_cast<unsigned char>(w[0]))) return false;
  for (char c : w) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '/' && c != '-')
      return false;
  }
  return true;
}

bool is_number(const std::string& w) {
  double ignored = 0;
  return parse_number(w, &ignored);
}

// Splits "epoch 3 | loss=0.5, acc: 0.9, test_acc 0.8" into pairs: "k=v",
// "k: v" and "k v" (a name, then a number).
std::vector<std::pair<std::string, std::string>> pairs_of(const std::string& line) {
  std::string cleaned;
  for (char c : line)
    cleaned += (c == ',' || c == '|' || c == ';' || c == '\t' || c == '[' || c == ']') ? ' ' : c;
  std::istringstream in(cleaned);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    size_t eq = w.find('=');
    if (eq != std::string::npos && eq > 0) {
      out.emplace_back(w.substr(0, eq), w.substr(eq + 1));
    } else if (i + 1 < words.size() &&
               (w.back() == ':' || lower(w) == "epoch" || (is_name(w) && is_number(words[i + 1])))) {
      out.emplace_back(w.back() == ':' ? w.substr(0, w.size() - 1) : w, words[i + 1]);
      ++i;
    }
  }
  return out;
}

}  // namespace

History history_from_logs(const std::vector<store::LogRow>& rows) {
  History h;
  for (const store::LogRow& r : rows) {
    double v = 0;
    if (r.hindsight || r.source != r.run) continue;
    if (r.type == "string" || r.type == "tensor") continue;
    if (r.type == "bool") {
      v = (r.value == "true" || r.value == "1") ? 1 : 0;
    } else if (!parse_number(r.value, &v, NonFinite::kKeep)) {
      continue;
    }
    h[r.name][r.epoch] = v;
  }
  return h;
}

History history_from_output(const std::string& text) {
  History h;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    auto pairs = pairs_of(line);
    int64_t epoch = 0;
    bool has_epoch = false;
    for (const auto& [k, v] : pairs) {
      if (lower(k) == "epoch") has_epoch = parse_epoch(v, &epoch);
    }
    if (!has_epoch) continue;
    for (const auto& [k, v] : pairs) {
      double x = 0;
      if (lower(k) != "epoch" && parse_number(v, &x, NonFinite::kKeep)) h[k][epoch] = x;
    }
  }
  return h;
}

Json history_to_json(const History& history) {
  Json metrics = Json::object();
  for (const auto& [name, points] : history) {
    Json epochs = Json::array(), values = Json::array();
    for (const auto& [e, v] : points) {
      epochs.push_back(e);
      values.push_back(v);
    }
    metrics[name] = {{"epochs", epochs}, {"values", values}};
  }
  return {{"version", 1}, {"metrics", metrics}};
}

Json final_metrics(const History& history) {
  Json out = Json::object();
  for (const auto& [name, points] : history) {
    if (!points.empty()) out[name] = points.rbegin()->second;
  }
  return out;
}

}  // namespace flor::sweep
