// Decoding typed log values (why and format: value.h, docs/store-format.md).
#include "store/value.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include <unistd.h>

#include "util/durable_file.h"
#include "util/file.h"

namespace flor::store {
namespace {

using nlohmann::json;

// Exact shortest round-trip text of a number (what the runtime writes).
template <typename T>
std::string number_text(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  }
  char buf[40];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

template <typename T>
T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// "float[2,3] mean=..." -> dtype "float", shape {2, 3}.
bool parse_tensor_head(const std::string& text, std::string* dtype, std::vector<int64_t>* shape) {
  const size_t open = text.find('['), close = text.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return false;
  *dtype = text.substr(0, open);
  shape->clear();
  std::stringstream dims(text.substr(open + 1, close - open - 1));
  for (std::string d; std::getline(dims, d, ',');) shape->push_back(std::atoll(d.c_str()));
  return true;
}

// "image 28x28x1" -> {28, 28, 1} (height, width, channels).
bool parse_image_head(const std::string& text, std::vector<int64_t>* shape) {
  long long h = 0, w = 0, c = 0;
  if (std::sscanf(text.c_str(), "image %lldx%lldx%lld", &h, &w, &c) != 3) return false;
  *shape = {h, w, c};
  return true;
}

int64_t numel(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return corrupt("value file " + path + " is missing: the store lost it (run `flor gc` only on whole stores)");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

json histogram_to_json(const Histogram& h) {
  return json{{"edges", h.edges}, {"counts", h.counts}, {"min", h.min},         {"max", h.max},
              {"count", h.count}, {"sum", h.sum},       {"sum_squares", h.sum_squares}};
}

// The elements from `first` on, nested by shape[dim..].
json nested(const Value& v, size_t dim, int64_t* next) {
  if (dim == v.shape.size()) {
    const std::string t = element_text(v, (*next)++);
    if (v.dtype == "bool") return t == "true";
    if (t == "nan" || t == "inf" || t == "-inf") return t;  // JSON has no such numbers
    return json::parse(t);
  }
  json a = json::array();
  for (int64_t i = 0; i < v.shape[dim]; ++i) a.push_back(nested(v, dim + 1, next));
  return a;
}

}  // namespace

const char* to_string(ValueKind kind) {
  switch (kind) {
    case ValueKind::kScalar: return "scalar";
    case ValueKind::kText: return "text";
    case ValueKind::kTensor: return "tensor";
    case ValueKind::kHistogram: return "histogram";
    case ValueKind::kImage: return "image";
  }
  return "scalar";
}

std::string histogram_json(const Histogram& h) { return histogram_to_json(h).dump(); }

Result<Histogram> parse_histogram(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  Histogram h;
  try {
    h.edges = j.at("edges").get<std::vector<double>>();
    h.counts = j.at("counts").get<std::vector<double>>();
    h.min = j.at("min").get<double>();
    h.max = j.at("max").get<double>();
    h.count = j.at("count").get<double>();
    h.sum = j.at("sum").get<double>();
    h.sum_squares = j.at("sum_squares").get<double>();
  } catch (const json::exception& e) {
    return corrupt(std::string("histogram payload is not a histogram: ") + e.what());
  }
  if (h.edges.size() != h.counts.size() + 1) return corrupt("histogram payload has edges.size() != counts.size() + 1");
  return h;
}

std::string blob_path(const std::string& experiment_dir, const std::string& blob) {
  return experiment_dir + "/ckpt/values/" + blob;
}

size_t dtype_size(const std::string& d) {
  if (d == "double" || d == "int64") return 8;
  if (d == "float" || d == "int32") return 4;
  if (d == "int16") return 2;
  if (d == "int8" || d == "uint8" || d == "bool") return 1;
  return 0;
}

std::string element_text(const Value& v, int64_t i) {
  const char* p = v.bytes.data() + static_cast<size_t>(i) * dtype_size(v.dtype);
  if (v.dtype == "float") return number_text(load<float>(p));
  if (v.dtype == "double") return number_text(load<double>(p));
  if (v.dtype == "int64") return number_text(load<int64_t>(p));
  if (v.dtype == "int32") return number_text(load<int32_t>(p));
  if (v.dtype == "int16") return number_text(load<int16_t>(p));
  if (v.dtype == "int8") return number_text(static_cast<int>(load<int8_t>(p)));
  if (v.dtype == "uint8") return number_text(static_cast<int>(load<uint8_t>(p)));
  if (v.dtype == "bool") return *p ? "true" : "false";
  return "?";
}

namespace {

// DIR/ckpt/values, made (its name in ckpt/ made durable) when missing.
Status ensure_values_dir(const std::string& experiment_dir, Env* env) {
  const std::string dir = experiment_dir + "/ckpt/values";
  if (::access(dir.c_str(), F_OK) == 0) return Status();
  FLOR_RETURN_IF_ERROR(make_dirs(dir));
  return fsync_dir(experiment_dir + "/ckpt", env);
}

}  // namespace

Status write_value_blob(const std::string& experiment_dir, const std::string& blob, const char* data, size_t len,
                        Env* env) {
  FLOR_RETURN_IF_ERROR(ensure_values_dir(experiment_dir, env));
  const std::string path = blob_path(experiment_dir, blob);
  if (::access(path.c_str(), F_OK) == 0) return Status();
  FLOR_ASSIGN_OR_RETURN(DurableFile f, DurableFile::create(path, IoMode::kBuffered, env));
  FLOR_RETURN_IF_ERROR(f.append(data, len));
  FLOR_RETURN_IF_ERROR(f.sync());
  return f.publish();
}

Status write_value_blobs(const std::string& experiment_dir, const std::vector<LogRow>& rows, Env* env) {
  std::vector<DurableFile> files;
  std::set<std::string> seen;
  bool any = false;
  for (const LogRow& r : rows) {
    if (r.blob.empty()) continue;
    if (!any) {
      any = true;
      FLOR_RETURN_IF_ERROR(ensure_values_dir(experiment_dir, env));
    }
    const std::string path = blob_path(experiment_dir, r.blob);
    if (!seen.insert(r.blob).second || ::access(path.c_str(), F_OK) == 0) continue;
    FLOR_ASSIGN_OR_RETURN(DurableFile f, DurableFile::create(path, IoMode::kBuffered, env));
    FLOR_RETURN_IF_ERROR(f.append(r.data.data(), r.data.size()));
    files.push_back(std::move(f));
  }
  if (!any) return Status();
  for (DurableFile& f : files) FLOR_RETURN_IF_ERROR(f.sync());
  for (DurableFile& f : files) FLOR_RETURN_IF_ERROR(f.publish());
  return fsync_dir(experiment_dir + "/ckpt/values", env);
}

Result<std::string> read_payload(const std::string& experiment_dir, const LogRow& row) {
  if (row.blob.empty()) return row.data;
  return read_file(blob_path(experiment_dir, row.blob));
}

Result<Value> read_value(const std::string& experiment_dir, const LogRow& row) {
  Value v;
  v.text = row.value;
  const std::string where = "log '" + row.name + "' (run " + std::to_string(row.source) + ", epoch " +
                            std::to_string(row.epoch) + ", step " + std::to_string(row.step) + ")";
  if (!row.blob.empty()) v.path = blob_path(experiment_dir, row.blob);
  FLOR_ASSIGN_OR_RETURN(std::string payload, read_payload(experiment_dir, row));
  const std::string& t = row.type;
  if (t == kTypeTensor || t == kTypeTensorSummary) {
    if (!parse_tensor_head(row.value, &v.dtype, &v.shape)) {  // one element: its number
      v.kind = ValueKind::kScalar;
      return v;
    }
    v.kind = ValueKind::kTensor;
    if (t == kTypeTensorSummary) {
      FLOR_ASSIGN_OR_RETURN(Histogram h, parse_histogram(payload));
      v.histogram = std::move(h);
    } else if (!payload.empty()) {
      if (payload.size() != static_cast<size_t>(numel(v.shape)) * dtype_size(v.dtype)) {
        return corrupt(where + ": " + std::to_string(payload.size()) + " bytes do not hold a " +
                       row.value.substr(0, row.value.find(' ')) + (v.path.empty() ? "" : " (" + v.path + ")"));
      }
      v.bytes = std::move(payload);
    }
  } else if (t == kTypeHistogram) {
    v.kind = ValueKind::kHistogram;
    auto h = parse_histogram(payload);
    if (!h.ok()) return corrupt(where + ": " + h.status().message());
    v.histogram = std::move(h).value();
  } else if (t == kTypeImage) {
    v.kind = ValueKind::kImage;
    if (!parse_image_head(row.value, &v.shape)) return corrupt(where + ": '" + row.value + "' is not an image's text");
    v.bytes = std::move(payload);
  } else {
    v.kind = t == "string" ? ValueKind::kText : ValueKind::kScalar;
  }
  return v;
}

std::string short_form(const LogRow& row) {
  if (row.type == kTypeTensor || row.type == kTypeTensorSummary) return row.value.substr(0, row.value.find(' '));
  return row.value;
}

std::string value_json(const Value& v, const std::string& image_path) {
  switch (v.kind) {
    case ValueKind::kText: return json(v.text).dump();
    case ValueKind::kScalar: {
      if (v.text == "true" || v.text == "false") return v.text;
      double d = 0;
      auto res = std::from_chars(v.text.data(), v.text.data() + v.text.size(), d);
      if (res.ec != std::errc() || res.ptr != v.text.data() + v.text.size() || !std::isfinite(d)) {
        return json(v.text).dump();
      }
      return v.text;  // exact text is valid JSON for a finite number
    }
    case ValueKind::kTensor: {
      json j{{"dtype", v.dtype}, {"shape", v.shape}};
      if (v.whole()) {
        int64_t next = 0;
        j["values"] = nested(v, 0, &next);
      } else {
        j["summary"] = v.text;
        if (v.histogram) j["histogram"] = histogram_to_json(*v.histogram);
      }
      return j.dump();
    }
    case ValueKind::kHistogram: return histogram_to_json(*v.histogram).dump();
    case ValueKind::kImage:
      return json{{"height", v.shape[0]}, {"width", v.shape[1]}, {"channels", v.shape[2]},
                  {"path", image_path.empty() ? v.path : image_path}}
          .dump();
  }
  return "null";
}

Result<int64_t> collect_value_blobs(Store& store, bool dry_run) {
  namespace fs = std::filesystem;
  FLOR_ASSIGN_OR_RETURN(std::vector<std::string> named, store.value_blobs());
  const std::set<std::string> live(named.begin(), named.end());
  const fs::path folder = fs::path(store.dir()) / "ckpt" / "values";
  std::error_code ec;
  int64_t freed = 0;
  if (!fs::is_directory(folder, ec)) return freed;
  for (auto it = fs::directory_iterator(folder, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec) || live.count(it->path().filename().string())) continue;
    freed += static_cast<int64_t>(it->file_size(ec));
    if (!dry_run && !fs::remove(it->path(), ec)) {
      return io_error("cannot delete unused value file " + it->path().string() + ": " + ec.message());
    }
  }
  if (ec) return io_error("cannot list " + folder.string() + ": " + ec.message());
  return freed;
}

std::string ElementDiff::describe() const {
  std::string at;
  for (int64_t i : index) at += (at.empty() ? "" : ",") + std::to_string(i);
  return "first difference at [" + at + "]: recorded " + recorded + ", replayed " + replayed;
}

std::optional<ElementDiff> first_difference(const Value& a, const Value& b) {
  if (!a.whole() || !b.whole() || a.dtype != b.dtype || a.shape != b.shape) return std::nullopt;
  const size_t size = dtype_size(a.dtype);
  if (size == 0) return std::nullopt;
  const int64_t n = numel(a.shape);
  for (int64_t i = 0; i < n; ++i) {
    if (std::memcmp(a.bytes.data() + i * size, b.bytes.data() + i * size, size) == 0) continue;
    ElementDiff d;
    d.index.assign(a.shape.size(), 0);
    for (int64_t k = static_cast<int64_t>(a.shape.size()) - 1, rest = i; k >= 0; --k) {
      d.index[k] = rest % a.shape[k];
      rest /= a.shape[k];
    }
    d.recorded = element_text(a, i);
    d.replayed = element_text(b, i);
    return d;
  }
  return std::nullopt;
}

}  // namespace flor::store
