#include "store/run_info.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>

#include "util/number.h"

namespace flor::store {
namespace {

using Json = nlohmann::json;
constexpr const char* kVersionKey = "info_version";

// "a string", "an object", "null": what a wrong value holds, for the error.
std::string holds(const Json& v) {
  if (v.is_null()) return "null";
  if (v.is_object() || v.is_array()) return std::string("an ") + v.type_name();
  return std::string("a ") + v.type_name();
}

Status wrong(const std::string& key, const Json& v, const std::string& expected) {
  return corrupt("'" + key + "' is " + holds(v) + ", expected " + expected);
}

// read(v, key, &out): `v` (the value of `key`, "threads.torch" for a member)
// into out, or an error naming key. One overload per C++ type of a field.

Status read(const Json& v, const std::string& key, std::string* out) {
  if (!v.is_string()) return wrong(key, v, "a string");
  *out = v.get<std::string>();
  return Status();
}

Status read(const Json& v, const std::string& key, int64_t* out) {
  if (!v.is_number_integer()) return wrong(key, v, "an integer");
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return corrupt("'" + key + "' is " + v.dump() + ", out of range");
  }
  *out = v.get<int64_t>();
  return Status();
}

Status read(const Json& v, const std::string& key, int* out) {
  int64_t x = 0;
  FLOR_RETURN_IF_ERROR(read(v, key, &x));
  if (x < std::numeric_limits<int>::min() || x > std::numeric_limits<int>::max()) {
    return corrupt("'" + key + "' is " + v.dump() + ", out of range");
  }
  *out = static_cast<int>(x);
  return Status();
}

Status read(const Json& v, const std::string& key, bool* out) {
  if (!v.is_boolean()) return wrong(key, v, "true or false");
  *out = v.get<bool>();
  return Status();
}

// A member of an object; a missing one keeps its default.
template <typename T>
Status member(const Json& object, const std::string& key, const char* name, T* out) {
  auto it = object.find(name);
  return it == object.end() ? Status() : read(*it, key + "." + name, out);
}

Status expect_object(const Json& v, const std::string& key) {
  return v.is_object() ? Status() : wrong(key, v, "an object");
}

Status read(const Json& v, const std::string& key, RunThreads* out) {
  FLOR_RETURN_IF_ERROR(expect_object(v, key));
  FLOR_RETURN_IF_ERROR(member(v, key, "torch", &out->torch));
  FLOR_RETURN_IF_ERROR(member(v, key, "interop", &out->interop));
  return member(v, key, "openblas", &out->openblas);
}

Status read(const Json& v, const std::string& key, RunVersions* out) {
  FLOR_RETURN_IF_ERROR(expect_object(v, key));
  FLOR_RETURN_IF_ERROR(member(v, key, "flor", &out->flor));
  FLOR_RETURN_IF_ERROR(member(v, key, "torch", &out->torch));
  return member(v, key, "sqlite", &out->sqlite);
}

Status read(const Json& v, const std::string& key, SkippedFile* out) {
  FLOR_RETURN_IF_ERROR(expect_object(v, key));
  FLOR_RETURN_IF_ERROR(member(v, key, "path", &out->path));
  return member(v, key, "bytes", &out->bytes);
}

Status read(const Json& v, const std::string& key, SubmodulePointer* out) {
  FLOR_RETURN_IF_ERROR(expect_object(v, key));
  FLOR_RETURN_IF_ERROR(member(v, key, "path", &out->path));
  FLOR_RETURN_IF_ERROR(member(v, key, "commit", &out->commit));
  return member(v, key, "dirty", &out->dirty);
}

Status read(const Json& v, const std::string& key, SweepTag* out) {
  FLOR_RETURN_IF_ERROR(expect_object(v, key));
  FLOR_RETURN_IF_ERROR(member(v, key, "id", &out->id));
  FLOR_RETURN_IF_ERROR(member(v, key, "folder", &out->folder));
  FLOR_RETURN_IF_ERROR(member(v, key, "hash", &out->hash));
  auto params = v.find("params");
  if (params == v.end()) return Status();
  FLOR_RETURN_IF_ERROR(expect_object(*params, key + ".params"));
  for (const auto& [name, value] : params->items()) out->params[name] = value.dump();
  return Status();
}

template <typename T>
Status read(const Json& v, const std::string& key, std::vector<T>* out) {
  if (!v.is_array()) return wrong(key, v, "an array");
  for (size_t i = 0; i < v.size(); ++i) {
    FLOR_RETURN_IF_ERROR(read(v[i], key + "[" + std::to_string(i) + "]", &out->emplace_back()));
  }
  return Status();
}

template <typename T>
Status read(const Json& v, const std::string& key, std::optional<T>* out) {
  T x{};
  FLOR_RETURN_IF_ERROR(read(v, key, &x));
  *out = std::move(x);
  return Status();
}

// The values kept as text: a count, eps, the segment, the init mode, the epochs.
Status wrong_text(const std::string& key, const std::string& text, const std::string& expected) {
  return corrupt("'" + key + "' is '" + text + "', expected " + expected);
}

Status read_count(const Json& v, const std::string& key, std::optional<int64_t>* out) {
  std::string text;
  FLOR_RETURN_IF_ERROR(read(v, key, &text));
  Result<int64_t> n = parse_integer(key, text, 0, std::numeric_limits<int64_t>::max());
  if (!n.ok()) return wrong_text(key, text, "a count (\"3\")");
  *out = *n;
  return Status();
}

Status read_eps(const Json& v, std::optional<double>* out) {
  std::string text;
  FLOR_RETURN_IF_ERROR(read(v, "eps", &text));
  const double max = std::numeric_limits<double>::max();
  Result<double> x = parse_real("eps", text, -max, max);
  if (!x.ok()) return wrong_text("eps", text, "a number (\"0.0667\")");
  *out = *x;
  return Status();
}

Status read_segment(const Json& v, std::optional<Segment>* out) {
  std::string text;
  FLOR_RETURN_IF_ERROR(read(v, "segment", &text));
  Result<Segment> s = parse_segment(text);
  if (!s.ok()) return corrupt("'segment': " + s.status().message());
  *out = *s;
  return Status();
}

Status read_init(const Json& v, std::optional<InitMode>* out) {
  std::string text;
  FLOR_RETURN_IF_ERROR(read(v, "init", &text));
  for (InitMode mode : {InitMode::kWeak, InitMode::kStrong}) {
    if (text == to_string(mode)) {
      *out = mode;
      return Status();
    }
  }
  return wrong_text("init", text, "'weak' or 'strong'");
}

// "first-last", read as written: without the order check of FLOR_EPOCHS.
Status read_epochs(const Json& v, std::optional<EpochRange>* out) {
  std::string text;
  FLOR_RETURN_IF_ERROR(read(v, "epochs", &text));
  const size_t dash = text.find('-', 1);
  const int64_t min = std::numeric_limits<int64_t>::min(), max = std::numeric_limits<int64_t>::max();
  Result<int64_t> first = parse_integer("epochs", text.substr(0, dash), min, max);
  Result<int64_t> last = dash == std::string::npos ? first : parse_integer("epochs", text.substr(dash + 1), min, max);
  if (dash == std::string::npos || !first.ok() || !last.ok()) return wrong_text("epochs", text, "first-last (\"0-9\")");
  *out = EpochRange{*first, *last};
  return Status();
}

// A value kept as JSON text; text that is not JSON (a caller's mistake) is kept as a string.
Json from_text(const std::string& text) {
  Json v = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  return v.is_discarded() ? Json(text) : v;
}

Json to_json(const RunThreads& t) { return {{"torch", t.torch}, {"interop", t.interop}, {"openblas", t.openblas}}; }
Json to_json(const RunVersions& v) { return {{"flor", v.flor}, {"torch", v.torch}, {"sqlite", v.sqlite}}; }
Json to_json(const SkippedFile& f) { return {{"path", f.path}, {"bytes", f.bytes}}; }
Json to_json(const SubmodulePointer& s) { return {{"path", s.path}, {"commit", s.commit}, {"dirty", s.dirty}}; }
Json to_json(const SweepTag& s) {
  Json params = Json::object();
  for (const auto& [name, text] : s.params) params[name] = from_text(text);
  return {{"id", s.id}, {"folder", s.folder}, {"hash", s.hash}, {"params", params}};
}
template <typename T>
Json to_json(const std::vector<T>& items) {
  Json out = Json::array();
  for (const T& x : items) out.push_back(to_json(x));
  return out;
}

template <typename T>
void put(Json* out, const char* key, const std::optional<T>& v) {
  if (v) (*out)[key] = to_json(*v);
}
template <typename T>
void put(Json* out, const char* key, const std::vector<T>& v) {
  if (!v.empty()) (*out)[key] = to_json(v);
}
void put_text(Json* out, const char* key, const std::optional<std::string>& v) {
  if (v) (*out)[key] = *v;
}
void put_count(Json* out, const char* key, const std::optional<int64_t>& v) {
  if (v) (*out)[key] = std::to_string(*v);
}

// "%.17g" without the C locale's decimal point (a program's setlocale).
std::string real_text(double x) {
  char buf[64];
  auto end = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::general, 17).ptr;
  return std::string(buf, end);
}

// One row per key: how it is read and how it is written.
struct Field {
  const char* key;
  Status (*decode)(const Json& value, RunInfo* info);
  void (*encode)(const RunInfo& info, Json* out);
};

const Field kFields[] = {
    {"threads", [](const Json& v, RunInfo* i) { return read(v, "threads", &i->threads); },
     [](const RunInfo& i, Json* o) { put(o, "threads", i.threads); }},
    {"seed", [](const Json& v, RunInfo* i) { return read(v, "seed", &i->seed); },
     [](const RunInfo& i, Json* o) { put_text(o, "seed", i.seed); }},
    {"versions", [](const Json& v, RunInfo* i) { return read(v, "versions", &i->versions); },
     [](const RunInfo& i, Json* o) { put(o, "versions", i.versions); }},
    {"command",
     [](const Json& v, RunInfo* i) { return read(v, "command", &i->command); },
     [](const RunInfo& i, Json* o) {
       if (i.command) (*o)["command"] = *i.command;
     }},
    {"pid", [](const Json& v, RunInfo* i) { return read(v, "pid", &i->pid); },
     [](const RunInfo& i, Json* o) {
       if (i.pid) (*o)["pid"] = *i.pid;
     }},
    {"cwd", [](const Json& v, RunInfo* i) { return read(v, "cwd", &i->cwd); },
     [](const RunInfo& i, Json* o) { put_text(o, "cwd", i.cwd); }},
    {"skipped", [](const Json& v, RunInfo* i) { return read(v, "skipped", &i->skipped); },
     [](const RunInfo& i, Json* o) { put(o, "skipped", i.skipped); }},
    {"submodules", [](const Json& v, RunInfo* i) { return read(v, "submodules", &i->submodules); },
     [](const RunInfo& i, Json* o) { put(o, "submodules", i.submodules); }},
    {"launcher", [](const Json& v, RunInfo* i) { return read(v, "launcher", &i->launcher); },
     [](const RunInfo& i, Json* o) { put_text(o, "launcher", i.launcher); }},
    {"eps", [](const Json& v, RunInfo* i) { return read_eps(v, &i->eps); },
     [](const RunInfo& i, Json* o) {
       if (i.eps) (*o)["eps"] = real_text(*i.eps);
     }},
    {"checkpoints", [](const Json& v, RunInfo* i) { return read_count(v, "checkpoints", &i->checkpoints); },
     [](const RunInfo& i, Json* o) { put_count(o, "checkpoints", i.checkpoints); }},
    {"step_loop", [](const Json& v, RunInfo* i) { return read(v, "step_loop", &i->step_loop); },
     [](const RunInfo& i, Json* o) { put_text(o, "step_loop", i.step_loop); }},
    {"carried_state", [](const Json& v, RunInfo* i) { return read(v, "carried_state", &i->carried_state); },
     [](const RunInfo& i, Json* o) {
       if (i.carried_state) (*o)["carried_state"] = *i.carried_state;
     }},
    {"segment", [](const Json& v, RunInfo* i) { return read_segment(v, &i->segment); },
     [](const RunInfo& i, Json* o) {
       if (i.segment) (*o)["segment"] = to_string(*i.segment);
     }},
    {"init", [](const Json& v, RunInfo* i) { return read_init(v, &i->init); },
     [](const RunInfo& i, Json* o) {
       if (i.init) (*o)["init"] = to_string(*i.init);
     }},
    {"epochs", [](const Json& v, RunInfo* i) { return read_epochs(v, &i->epochs); },
     [](const RunInfo& i, Json* o) {
       if (i.epochs) (*o)["epochs"] = std::to_string(i.epochs->first) + "-" + std::to_string(i.epochs->last);
     }},
    {"divergences", [](const Json& v, RunInfo* i) { return read_count(v, "divergences", &i->divergences); },
     [](const RunInfo& i, Json* o) { put_count(o, "divergences", i.divergences); }},
    {"logs_not_stored",
     [](const Json& v, RunInfo* i) { return read_count(v, "logs_not_stored", &i->logs_not_stored); },
     [](const RunInfo& i, Json* o) { put_count(o, "logs_not_stored", i.logs_not_stored); }},
    {"gpu_mem_peak_mib",
     [](const Json& v, RunInfo* i) { return read_count(v, "gpu_mem_peak_mib", &i->gpu_mem_peak_mib); },
     [](const RunInfo& i, Json* o) { put_count(o, "gpu_mem_peak_mib", i.gpu_mem_peak_mib); }},
    {"sweep", [](const Json& v, RunInfo* i) { return read(v, "sweep", &i->sweep); },
     [](const RunInfo& i, Json* o) { put(o, "sweep", i.sweep); }},
};

const Field* field(const std::string& key) {
  for (const Field& f : kFields) {
    if (key == f.key) return &f;
  }
  return nullptr;
}

}  // namespace

std::string encode_run_info(const RunInfo& info) {
  Json out = Json::object();
  for (const auto& [key, text] : info.unknown) out[key] = from_text(text);
  for (const Field& f : kFields) f.encode(info, &out);
  out[kVersionKey] = std::max(info.version, kRunInfoVersion);
  // Text that is not UTF-8 (an argv) becomes U+FFFD instead of an exception.
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<RunInfo> decode_run_info(const std::string& text) {
  RunInfo info;
  info.version = 0;
  if (text.empty()) return info;
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return corrupt("not JSON: " + text.substr(0, 80));
  if (!j.is_object()) return wrong("info", j, "an object");
  for (const auto& [key, value] : j.items()) {
    if (key == kVersionKey) {
      FLOR_RETURN_IF_ERROR(read(value, key, &info.version));
    } else if (const Field* f = field(key)) {
      FLOR_RETURN_IF_ERROR(f->decode(value, &info));
    } else {
      info.unknown[key] = value.dump();
    }
  }
  return info;
}

}  // namespace flor::store
