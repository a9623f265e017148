#include "sweep/config.h"

#include <algorithm>
#include <set>

#include "util/file.h"

namespace flor::sweep {
namespace {

Status bad(const std::string& source, const std::string& what) {
  return invalid_argument(source + ": " + what);
}

// nlohmann's message, without its "[json.exception...] parse error at ...: " prefix.
std::string parse_reason(const std::string& what) {
  size_t col = what.find("column ");
  size_t colon = what.find(": ", col == std::string::npos ? 0 : col);
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

Result<Json> parse_json(const std::string& text, const std::string& source) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    // e.byte counts the characters read, so the offending one is at byte - 1.
    TextPos pos = text_position(text, e.byte == 0 ? 0 : e.byte - 1);
    return bad(source + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column),
               "malformed JSON: " + parse_reason(e.what()));
  }
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

Status want(bool ok, const std::string& source, const std::string& key, const char* type) {
  return ok ? Status() : bad(source, "meta." + key + " must be " + type);
}

Status parse_mem_trace(const Json& v, const std::string& source, Meta* meta) {
  if (v.is_boolean()) {
    meta->mem_trace = v.get<bool>();
    return Status();
  }
  FLOR_RETURN_IF_ERROR(
      want(v.is_object(), source, "mem_trace", "an object {\"enabled\", \"delay_s\"} or a boolean"));
  for (const auto& [k, x] : v.items()) {
    if (k == "enabled") {
      FLOR_RETURN_IF_ERROR(want(x.is_boolean(), source, "mem_trace.enabled", "a boolean"));
      meta->mem_trace = x.get<bool>();
    } else if (k == "delay_s") {
      FLOR_RETURN_IF_ERROR(
          want(x.is_number() && x.get<double>() > 0, source, "mem_trace.delay_s", "a positive number"));
      meta->mem_trace_delay_s = x.get<double>();
    } else {
      return bad(source, "unknown key meta.mem_trace." + k + " (known: enabled, delay_s)");
    }
  }
  return Status();
}

Status parse_int_key(const Json& v, const std::string& source, const std::string& key, int min, int* out) {
  FLOR_RETURN_IF_ERROR(want(v.is_number_integer() && v.get<long long>() >= min, source, key,
                            min == 0 ? "a non-negative integer" : "a positive integer"));
  *out = v.get<int>();
  return Status();
}

Status parse_enum(const Json& v, const std::string& source, const std::string& key,
                  const std::vector<std::string>& names, int* index) {
  auto it = v.is_string() ? std::find(names.begin(), names.end(), v.get<std::string>()) : names.end();
  if (it == names.end()) return bad(source, "meta." + key + " must be one of: " + join(names));
  *index = static_cast<int>(it - names.begin());
  return Status();
}

Status parse_meta_key(const std::string& k, const Json& v, const std::string& source, Meta* m) {
  int index = 0;
  if (k == "exclude_configs") {
    FLOR_RETURN_IF_ERROR(want(v.is_array(), source, k, "an array of objects"));
    for (const Json& rule : v) {
      FLOR_RETURN_IF_ERROR(want(rule.is_object(), source, k, "an array of objects"));
      m->exclude_configs.push_back(rule);
    }
  } else if (k == "max_parallel") {
    FLOR_RETURN_IF_ERROR(parse_int_key(v, source, k, 0, &m->max_parallel));
  } else if (k == "allow_cpu") {
    FLOR_RETURN_IF_ERROR(want(v.is_boolean(), source, k, "a boolean"));
    m->allow_cpu = v.get<bool>();
  } else if (k == "retries") {
    FLOR_RETURN_IF_ERROR(parse_int_key(v, source, k, 0, &m->retries));
  } else if (k == "timeout_s") {
    FLOR_RETURN_IF_ERROR(want(v.is_number() && v.get<double>() >= 0, source, k, "a non-negative number"));
    m->timeout_s = v.get<double>();
  } else if (k == "on_failure") {
    FLOR_RETURN_IF_ERROR(parse_enum(v, source, k, {"continue", "halt"}, &index));
    m->on_failure = static_cast<OnFailure>(index);
  } else if (k == "mem_trace") {
    FLOR_RETURN_IF_ERROR(parse_mem_trace(v, source, m));
  } else if (k == "runs_per_gpu") {
    FLOR_RETURN_IF_ERROR(parse_int_key(v, source, k, 1, &m->runs_per_gpu));
  } else if (k == "threads_per_run") {
    FLOR_RETURN_IF_ERROR(parse_int_key(v, source, k, 0, &m->threads_per_run));
  } else if (k == "flag_style") {
    FLOR_RETURN_IF_ERROR(parse_enum(v, source, k, {"key", "dashes", "none"}, &index));
    m->flag_style = static_cast<FlagStyle>(index);
  } else if (k == "flags") {
    FLOR_RETURN_IF_ERROR(want(v.is_array(), source, k, "an array of key names"));
    for (const Json& name : v) {
      FLOR_RETURN_IF_ERROR(want(name.is_string(), source, k, "an array of key names"));
      m->flag_keys.push_back(name.get<std::string>());
    }
  } else {
    return bad(source, "unknown key meta." + k + " (known: " + join(known_meta_keys()) + ")");
  }
  return Status();
}

Status parse_meta(const Json& meta, const std::string& source, Meta* out) {
  if (!meta.is_object()) return bad(source, "meta must be an object");
  for (const auto& [k, v] : meta.items()) FLOR_RETURN_IF_ERROR(parse_meta_key(k, v, source, out));
  return Status();
}

// Exclude rules and flag lists may only name keys of the config; a typo would
// otherwise silently exclude nothing.
void warn_unknown_keys(const std::string& source, Config* c) {
  std::set<std::string> keys;
  for (const auto& [k, v] : c->fixed.items()) keys.insert(k);
  for (const Axis& a : c->axes) keys.insert(a.key);
  for (size_t i = 0; i < c->meta.exclude_configs.size(); ++i) {
    for (const auto& [k, v] : c->meta.exclude_configs[i].items()) {
      if (!keys.count(k)) {
        std::string& w = c->warnings.emplace_back(source);
        w.append(": meta.exclude_configs[").append(std::to_string(i)).append("] names unknown key '");
        w.append(k).append("' (the rule excludes nothing)");
      }
    }
  }
  for (const std::string& k : c->meta.flag_keys) {
    if (!keys.count(k)) c->warnings.emplace_back(source).append(": meta.flags names unknown key '").append(k).append("'");
  }
}

}  // namespace

const std::vector<std::string>& known_meta_keys() {
  static const std::vector<std::string> kKeys = {
      "exclude_configs", "max_parallel", "allow_cpu",       "retries",    "timeout_s", "on_failure",
      "mem_trace",       "runs_per_gpu", "threads_per_run", "flag_style", "flags"};
  return kKeys;
}

TextPos text_position(const std::string& text, size_t byte_offset) {
  TextPos pos;
  size_t end = std::min(byte_offset, text.size());
  for (size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      pos.column = 1;
    } else {
      ++pos.column;
    }
  }
  return pos;
}

Result<Config> parse_config(const std::string& text, const std::string& source) {
  FLOR_ASSIGN_OR_RETURN(Json root, parse_json(text, source));
  if (!root.is_object()) return bad(source, "a sweep config must be a JSON object");
  Config c;
  for (const auto& [k, v] : root.items()) {
    if (k == "meta") {
      FLOR_RETURN_IF_ERROR(parse_meta(v, source, &c.meta));
    } else if (v.is_array()) {
      if (v.empty()) return bad(source, "'" + k + "' is an empty list: the sweep expands to nothing");
      c.axes.push_back({k, std::vector<Json>(v.begin(), v.end())});
    } else {
      c.fixed[k] = v;
    }
  }
  if (c.fixed.contains("data_name")) {
    if (!c.fixed["data_name"].is_string())
      return bad(source, "data_name must be a string (the experiment name)");
    c.data_name = c.fixed["data_name"].get<std::string>();
  }
  warn_unknown_keys(source, &c);
  return c;
}

Result<Config> load_config(const std::string& path) {
  FLOR_ASSIGN_OR_RETURN(std::string text, read_file(path));
  return parse_config(text, path);
}

}  // namespace flor::sweep
