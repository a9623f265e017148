// Exporting a run's values (why and what: export.h; formats: docs/export.md).
#include "export/export.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "export/tensorboard.pb.h"
#include "report/table.h"
#include "store/value.h"

namespace flor::exports {
namespace {

namespace fs = std::filesystem;

// CRC-32C, reflected polynomial 0x82f63b78, one table lookup a byte.
struct Crc32cTable {
  uint32_t t[256];
  Crc32cTable() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c >> 1) ^ ((c & 1) ? 0x82f63b78u : 0u);
      t[i] = c;
    }
  }
};

// TFRecord framing: length (u64 LE), masked CRC of the length, the bytes,
// masked CRC of the bytes.
class EventFile {
 public:
  static Result<EventFile> create(const std::string& folder, double wall_time) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) return io_error("cannot create " + folder + ": " + ec.message());
    const std::string path =
        folder + "/events.out.tfevents." + std::to_string(static_cast<int64_t>(wall_time)) + ".flor";
    EventFile f(path);
    if (!f.out_) return io_error("cannot write " + path + ": " + std::strerror(errno));
    tb::Event version;
    version.set_wall_time(wall_time);
    version.set_file_version("brain.Event:2");
    FLOR_RETURN_IF_ERROR(f.write(version));
    return Result<EventFile>(std::move(f));
  }

  Status write(const tb::Event& e) {
    const std::string bytes = e.SerializeAsString();
    char head[12];
    const uint64_t n = bytes.size();
    std::memcpy(head, &n, 8);  // little-endian on the hosts flor runs on
    const uint32_t len_crc = masked_crc32c(head, 8);
    std::memcpy(head + 8, &len_crc, 4);
    const uint32_t crc = masked_crc32c(bytes.data(), bytes.size());
    out_.write(head, sizeof head).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out_.write(reinterpret_cast<const char*>(&crc), 4);
    if (!out_) return io_error("cannot write " + path_ + " (disk full?)");
    return Status();
  }

  Status close() {
    out_.close();
    if (!out_) return io_error("cannot write " + path_ + " (disk full?)");
    return Status();
  }

 private:
  explicit EventFile(std::string path) : path_(std::move(path)), out_(path_, std::ios::binary | std::ios::trunc) {}
  std::string path_;
  std::ofstream out_;
};

void set_histogram(const store::Histogram& h, tb::HistogramProto* p) {
  p->set_min(h.min);
  p->set_max(h.max);
  p->set_num(h.count);
  p->set_sum(h.sum);
  p->set_sum_squares(h.sum_squares);
  for (size_t i = 0; i < h.counts.size(); ++i) {
    p->add_bucket_limit(h.edges[i + 1]);
    p->add_bucket(h.counts[i]);
  }
}

void set_text(const std::string& text, tb::Summary::Value* v) {
  v->mutable_metadata()->mutable_plugin_data()->set_plugin_name("text");
  tb::TensorProto* t = v->mutable_tensor();
  t->set_dtype(7);  // DT_STRING
  t->add_string_val(text);
}

// The summary value of one log row; false for one with nothing to show.
bool set_value(const store::Value& value, tb::Summary::Value* v) {
  switch (value.kind) {
    case store::ValueKind::kScalar: {
      if (value.text == "true" || value.text == "false") {
        v->set_simple_value(value.text == "true" ? 1.f : 0.f);
        return true;
      }
      char* end = nullptr;
      const double d = std::strtod(value.text.c_str(), &end);
      if (end == value.text.c_str() || *end != '\0') return false;
      v->set_simple_value(static_cast<float>(d));
      return true;
    }
    case store::ValueKind::kText: set_text(value.text, v); return true;
    case store::ValueKind::kTensor:
      if (value.histogram) {
        set_histogram(*value.histogram, v->mutable_histo());
      } else {
        set_text(store::value_json(value), v);
      }
      return true;
    case store::ValueKind::kHistogram: set_histogram(*value.histogram, v->mutable_histo()); return true;
    case store::ValueKind::kImage: {
      tb::Summary::Image* im = v->mutable_image();
      im->set_height(static_cast<int32_t>(value.shape[0]));
      im->set_width(static_cast<int32_t>(value.shape[1]));
      im->set_colorspace(static_cast<int32_t>(value.shape[2]));
      im->set_encoded_image_string(value.bytes);
      return true;
    }
  }
  return false;
}

// The step a row is shown at: its epoch, or for a per-step value its global
// step (each earlier epoch counted as its largest step + 1 of that name).
class Steps {
 public:
  explicit Steps(const std::vector<store::LogRow>& logs) {
    for (const auto& l : logs) {
      if (l.step >= 0) {
        int64_t& m = max_step_[{l.name, l.hindsight}][l.epoch];
        m = std::max(m, l.step);
      }
    }
  }
  int64_t of(const store::LogRow& l) const {
    if (l.step < 0) return std::max<int64_t>(l.epoch, 0);
    int64_t offset = 0;
    for (const auto& [epoch, max] : max_step_.at({l.name, l.hindsight})) {
      if (epoch >= l.epoch) break;
      offset += max + 1;
    }
    return offset + l.step;
  }

 private:
  std::map<std::pair<std::string, bool>, std::map<int64_t, int64_t>> max_step_;
};

Result<std::map<int64_t, double>> epoch_ends(store::Store& store, int64_t run) {
  FLOR_ASSIGN_OR_RETURN(auto rows, store.epochs(run));
  std::map<int64_t, double> ends;
  for (const auto& e : rows) {
    for (int64_t i = 0; i < e.iters; ++i) ends[e.epoch + i] = e.ended;
  }
  return ends;
}

std::string typed_json(const std::string& dir, const store::LogRow& l, Status* error) {
  auto v = store::read_value(dir, l);
  if (!v.ok()) {
    *error = v.status();
    return "null";
  }
  return store::value_json(*v);
}

}  // namespace

uint32_t crc32c(const void* data, size_t n) {
  static const Crc32cTable kTable;
  uint32_t c = 0xffffffffu;
  const auto* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < n; ++i) c = kTable.t[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

uint32_t masked_crc32c(const void* data, size_t n) {
  const uint32_t c = crc32c(data, n);
  return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

Status export_tensorboard(store::Store& store, const store::Run& record, const std::string& dir) {
  FLOR_ASSIGN_OR_RETURN(auto logs, store.logs(record.id));
  FLOR_ASSIGN_OR_RETURN(auto ends, epoch_ends(store, record.id));
  const Steps steps(logs);
  const std::string base = dir + "/run" + std::to_string(record.id);
  std::map<bool, EventFile> files;  // hindsight? -> its file
  for (const auto& l : logs) {
    FLOR_ASSIGN_OR_RETURN(store::Value value, store::read_value(store.dir(), l));
    tb::Event e;
    auto end = ends.find(l.epoch);
    e.set_wall_time(end != ends.end() ? end->second : record.started);
    e.set_step(steps.of(l));
    tb::Summary::Value* v = e.mutable_summary()->add_value();
    v->set_tag(l.name);
    if (!set_value(value, v)) continue;
    auto it = files.find(l.hindsight);
    if (it == files.end()) {
      FLOR_ASSIGN_OR_RETURN(EventFile f, EventFile::create(base + (l.hindsight ? "-hindsight" : ""), record.started));
      it = files.emplace(l.hindsight, std::move(f)).first;
    }
    FLOR_RETURN_IF_ERROR(it->second.write(e));
  }
  for (auto& [hindsight, f] : files) FLOR_RETURN_IF_ERROR(f.close());
  return Status();
}

Status export_csv(store::Store& store, const store::Run& record, const std::string& dir) {
  FLOR_ASSIGN_OR_RETURN(auto logs, store.logs(record.id));
  report::Table t;
  t.columns = {"run", "source", "hindsight", "epoch", "step", "name", "type", "value"};
  Status error;
  for (const auto& l : logs) {
    const bool typed = !l.data.empty() || !l.blob.empty();
    t.rows.push_back({std::to_string(l.run), std::to_string(l.source), std::string(l.hindsight ? "1" : "0"),
                      std::to_string(l.epoch), std::to_string(l.step), l.name, l.type,
                      typed ? typed_json(store.dir(), l, &error) : l.value});
    FLOR_RETURN_IF_ERROR(error);
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  const std::string path = dir + "/run" + std::to_string(record.id) + ".csv";
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << report::render(t, report::Format::kCsv);
  out.close();
  if (!out) return io_error("cannot write " + path + (ec ? ": " + ec.message() : std::string(" (disk full?)")));
  return Status();
}

Status export_jsonl(store::Store& store, const store::Run& record, std::FILE* out) {
  FLOR_ASSIGN_OR_RETURN(auto logs, store.logs(record.id));
  Status error;
  for (const auto& l : logs) {
    const bool typed = !l.data.empty() || !l.blob.empty();
    const std::string value = typed ? typed_json(store.dir(), l, &error)
                                    : store::value_json(*store::read_value(store.dir(), l));
    FLOR_RETURN_IF_ERROR(error);
    const nlohmann::json row{{"run", l.run},   {"source", l.source}, {"hindsight", l.hindsight}, {"epoch", l.epoch},
                             {"step", l.step}, {"name", l.name},     {"type", l.type}};
    std::string line = row.dump();
    line.pop_back();  // the value's JSON text as it is: exact numbers
    line += ",\"value\":" + value + "}\n";
    if (std::fputs(line.c_str(), out) < 0) return io_error("cannot write the JSON lines (disk full?)");
  }
  return Status();
}

}  // namespace flor::exports
