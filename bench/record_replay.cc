// bench/record_replay: the checkpoint engine against its baselines, measured
// side by side in one run and printed as one table of ratios with the goal.
//
//   record_replay            quick (~10M parameters + Adam; 2-3 minutes, most of it the example rows)
//   record_replay --full     bigger model, more repetitions
//   record_replay --step-loop  only the step-loop rows (1-2 minutes)
//   record_replay --logs     only the rows of a log at every step (~1 minute)
//   record_replay --write    only the stall and durable-write rows (~30 s)
//   FLOR_BENCH_DIR=/path     where files go (default: a fresh dir under /tmp)
//
// Every row (or pair of rows) is one function; the last ones run programs
// built beside this binary: the Fashion-MNIST example (record overhead,
// replay with memoization, a step loop) and bench/log_steps (a log at every step).
#include <torch/torch.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ckpt/engine.h"
#include "ckpt/format.h"
#include "util/clock.h"
#include "util/durable_file.h"
#include "ckpt/writer.h"
#include "flor/flor.h"
#include "store/store.h"

namespace {

namespace fs = std::filesystem;
using flor::thread_cpu_seconds;
using flor::rt::CheckpointEngine;
using flor::rt::StateItem;
using flor::rt::WriteReport;
using Clock = std::chrono::steady_clock;
constexpr uint64_t kReadChunk = uint64_t{256} << 10;  // as restore reads

struct Options {
  bool full = false;
  bool step_loop_only = false;
  bool logs_only = false;  // --logs: only the rows of a log at every step
  bool write_only = false;  // --write: only the stall and write rows
  int64_t width = 1536;  // 4 square layers: 9.4M parameters
  int reps = 5;
  std::string dir;
};

struct Row {
  std::string measure;
  std::string flor;
  std::string baseline;
  std::string ratio;
  std::string goal;
  std::string verdict;  // "yes", "NO", or "-" for information
};

// --- helpers -----------------------------------------------------------------

double seconds(const std::function<void()>& fn) {
  const auto t0 = Clock::now();
  fn();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// What the children waited for so far used (popen's shells included).
rusage children_usage() {
  rusage u{};
  ::getrusage(RUSAGE_CHILDREN, &u);
  return u;
}

// Their CPU time (user + system).
double children_cpu_seconds() {
  const rusage u = children_usage();
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double median_of(int reps, const std::function<double()>& one) {
  std::vector<double> v;
  v.reserve(reps);
  for (int i = 0; i < reps; ++i) v.push_back(one());
  return median(v);
}

// The best of several runs of one program: on a shared machine noise only adds time.
double best(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

std::string ms(double s) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.1f ms", s * 1e3);
  return buf;
}

std::string mb(double bytes) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.1f MB", bytes / 1e6);
  return buf;
}

std::string gbps(double bytes, double s) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.2f GB/s", bytes / s / 1e9);
  return buf;
}

std::string times(double r) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.2fx", r);
  return buf;
}

// A row comparing a cost (lower is better) against a baseline with a ceiling.
Row ratio_row(const std::string& measure, const std::string& flor, const std::string& base,
              double ratio, double limit, const std::string& goal) {
  return {measure, flor, base, times(ratio), goal, ratio <= limit ? "yes" : "NO"};
}

struct Model {
  torch::nn::Sequential net;
  std::unique_ptr<torch::optim::Adam> adam;
};

// Four square layers; the first `frozen` ones get no gradient and no Adam state.
Model make_model(int64_t width, int frozen) {
  Model m;
  for (int i = 0; i < 4; ++i) {
    m.net->push_back(torch::nn::Linear(width, width));
    if (i < 3) m.net->push_back(torch::nn::ReLU());
  }
  std::vector<torch::Tensor> trainable;
  int layer = 0;
  for (auto& child : m.net->children()) {
    auto params = child->parameters();
    if (params.empty()) continue;
    for (auto& p : params) {
      p.set_requires_grad(layer >= frozen);
      if (layer >= frozen) trainable.push_back(p);
    }
    ++layer;
  }
  m.adam = std::make_unique<torch::optim::Adam>(trainable, torch::optim::AdamOptions(1e-4));
  return m;
}

void train_step(Model& m, int64_t width) {
  m.adam->zero_grad();
  const auto x = torch::randn({64, width});
  torch::mse_loss(m.net->forward(x), x).backward();
  m.adam->step();
}

// What the runtime checkpoints: parameters, buffers, Adam state, RNG state.
std::vector<StateItem> gather_state(Model& m) {
  std::vector<StateItem> items;
  for (const auto& p : m.net->named_parameters()) items.push_back({"model/" + p.key(), p.value()});
  for (const auto& b : m.net->named_buffers()) items.push_back({"model/" + b.key(), b.value()});
  auto& state = m.adam->state();
  int i = 0;
  for (auto& group : m.adam->param_groups()) {
    for (auto& p : group.params()) {
      auto it = state.find(c10::guts::to_string(p.unsafeGetTensorImpl()));
      if (it == state.end()) continue;
      auto& s = static_cast<torch::optim::AdamParamState&>(*it->second);
      const std::string prefix = "optim/" + std::to_string(i++) + "/";
      items.push_back({prefix + "exp_avg", s.exp_avg()});
      items.push_back({prefix + "exp_avg_sq", s.exp_avg_sq()});
      items.push_back({prefix + "step", torch::tensor(s.step())});
    }
  }
  items.push_back({"rng/cpu", at::detail::getDefaultCPUGenerator().get_state()});
  return items;
}

int64_t state_bytes(const std::vector<StateItem>& items) {
  int64_t n = 0;
  for (const auto& it : items) n += it.tensor.numel() * it.tensor.element_size();
  return n;
}

void fsync_path(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// torch::save of the same tensors (one archive), optionally made durable the
// way a new file is: fsync of the file and of its directory.
double torch_save(const std::vector<StateItem>& items, const std::string& path, bool durable) {
  return seconds([&] {
    torch::serialize::OutputArchive archive;
    for (const auto& it : items) {
      std::string key = it.key;
      std::replace(key.begin(), key.end(), '/', '_');
      std::replace(key.begin(), key.end(), '.', '_');
      archive.write(key, it.tensor);
    }
    archive.save_to(path);
    if (durable) {
      fsync_path(path);
      fsync_path(fs::path(path).parent_path().string());
    }
  });
}

// Runs `fn` on a thread at the engine writer's priority (nice 10, SCHED_BATCH,
// I/O best-effort/7), so a baseline competes for the machine as the writer does.
template <typename T>
T at_writer_priority(const std::function<T()>& fn) {
  T result{};
  std::thread t([&] {
    flor::rt::lower_background_priority();
    result = fn();
  });
  t.join();
  return result;
}

// The bytes of `items`, one after the other, in memory mapped and faulted in
// as the staging arena's is: what the floor writes (the checkpoint's bytes,
// not a constant fill; from a posix_memalign buffer the same write took
// 20-40% longer on this VM).
struct FloorBytes {
  explicit FloorBytes(const std::vector<StateItem>& items) {
    for (const auto& it : items) len += it.tensor.nbytes();
    len = (len + 4095) / 4096 * 4096;
    data = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (data == MAP_FAILED) throw std::bad_alloc();
    ::madvise(data, len, MADV_POPULATE_WRITE);
    auto* at = static_cast<uint8_t*>(data);
    for (const auto& it : items) {
      const torch::Tensor t = it.tensor.contiguous();
      std::memcpy(at, t.data_ptr(), t.nbytes());
      at += t.nbytes();
    }
  }
  ~FloorBytes() { ::munmap(data, len); }
  FloorBytes(const FloorBytes&) = delete;
  FloorBytes& operator=(const FloorBytes&) = delete;
  void* data = nullptr;
  size_t len = 0;
};

// The disk's floor for a durable write of those bytes: one direct write,
// then fsync (no hashing, no format, no rename). Not a buffered write: on
// this VM one + fsync took 93 ms at best but 310 ms in the median (8 runs;
// the direct write 121-130 ms), the page cache's writeback being the noise.
double direct_write_floor(const std::string& path, const FloorBytes& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0644);
  if (fd < 0) fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);  // tmpfs
  const double s = seconds([&] {
    if (::write(fd, bytes.data, bytes.len) != static_cast<ssize_t>(bytes.len)) std::perror("record_replay: write");
    ::fsync(fd);
  });
  ::close(fd);
  ::unlink(path.c_str());
  return s;
}

// Lets the disk drain what earlier writes left in its caches: this VM's disk
// takes a 113 MB write in 80-100 ms after a pause and in 150-190 ms right
// after another, so every timed write starts after the same pause.
void let_disk_settle() {
  ::sync();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
}

WriteReport checkpoint(CheckpointEngine& engine, const std::vector<StateItem>& items,
                       const std::string& name) {
  WriteReport report;
  auto stall = engine.capture(items, name, [&](const WriteReport& r) { report = r; });
  engine.wait();
  if (!stall.ok()) report.status = stall.status();
  if (!report.status.ok()) {
    std::fprintf(stderr, "record_replay: %s\n", report.status.to_string().c_str());
    std::exit(1);
  }
  return report;
}

double checkpoint_stall(CheckpointEngine& engine, const std::vector<StateItem>& items,
                        const std::string& name) {
  auto stall = engine.capture(items, name, nullptr);
  engine.wait();
  if (!stall.ok()) {
    std::fprintf(stderr, "record_replay: %s\n", stall.status().to_string().c_str());
    std::exit(1);
  }
  return *stall;
}

// A scratch directory that is gone once a measurement is done (keeps disk use
// and page cache small between rows).
struct ScratchDir {
  explicit ScratchDir(std::string p) : path(std::move(p)) { fs::create_directories(path); }
  ~ScratchDir() { fs::remove_all(path); }
  std::string path;
};

std::vector<char> prefaulted(size_t n) { return std::vector<char>(n, 1); }

// --- rows ----------------------------------------------------------------------

Row row_stall(const Options& opt, const std::vector<StateItem>& items) {
  const int64_t bytes = state_bytes(items);
  CheckpointEngine engine(opt.dir + "/stall");
  double first_stall = 0;
  {
    CheckpointEngine cold(opt.dir + "/stall-cold");
    first_stall = checkpoint_stall(cold, items, "c.ckpt");
  }
  (void)engine.reserve(bytes);
  int n = 0;
  const double stall = median_of(opt.reps, [&] {
    return checkpoint_stall(engine, items, "s" + std::to_string(n++) + ".ckpt");
  });
  std::vector<char> buf = prefaulted(static_cast<size_t>(bytes));
  const double copy = median_of(opt.reps, [&] {
    return seconds([&] {
      size_t off = 0;
      for (const auto& it : items) {
        const size_t nb = static_cast<size_t>(it.tensor.numel()) * it.tensor.element_size();
        std::memcpy(buf.data() + off, it.tensor.data_ptr(), nb);
        off += nb;
      }
    });
  });
  Row row = ratio_row("stall per checkpoint vs memcpy (" + mb(bytes) + ")", ms(stall), ms(copy),
                      stall / copy, 1.5, "<= 1.5x");
  row.flor += " (first, cold arena: " + ms(first_stall) + ")";
  return row;
}

// Wall time (how often one could checkpoint) and CPU time (what the write
// takes from training on a small machine) of writing the whole state durably,
// against torch::save of the same tensors, as-is (into the page cache, not
// durable) and followed by fsync (durable, like ours). The goal is judged like
// for like: durable against durable. Both run at the writer thread's priority.
// The goal is judged against the disk itself: one direct write of the same
// bytes and fsync, the floor of any durable write (no writer beats it; the old
// "3x faster than torch::save + fsync" goal was out of reach of any writer on
// this storage). What the write takes from training is its CPU time, judged
// against torch::save's.
std::vector<Row> rows_write(const Options& opt, const std::vector<StateItem>& items, double* torch_bytes) {
  const int64_t bytes = state_bytes(items);
  // A checkpoint of a running record: packs/ exists already, and every tensor
  // changed since the previous checkpoint (nothing to dedup). The previous one
  // is of the same tensors with every value changed.
  std::vector<StateItem> before;
  for (const auto& it : items) {
    auto t = it.tensor.detach().clone();
    before.push_back({it.key, t.is_floating_point() ? t.neg_() : t.bitwise_not_()});
  }
  // Our write and the floor alternate (which goes first alternates too), in
  // the same folder, each after the same pause (let_disk_settle): how fast
  // this VM's disk takes a write depends on what it took just before.
  const FloorBytes floor_bytes(items);
  std::vector<double> wall, cpu, floor_wall;
  for (int n = 0; n < 3 * opt.reps; ++n) {
    ScratchDir dir(opt.dir + "/write" + std::to_string(n));
    CheckpointEngine engine(dir.path);
    checkpoint(engine, before, "w0.ckpt");
    auto ours = [&] {
      let_disk_settle();
      const WriteReport r = checkpoint(engine, items, "w1.ckpt");
      if (r.bytes_written < bytes) {
        std::fprintf(stderr, "record_replay: the write row deduplicated bytes; it must not\n");
        std::exit(1);
      }
      wall.push_back(r.write_seconds);
      cpu.push_back(r.write_cpu_seconds);
    };
    auto disk = [&] {
      let_disk_settle();
      floor_wall.push_back(
          at_writer_priority<double>([&] { return direct_write_floor(dir.path + "/floor.bin", floor_bytes); }));
    };
    if (n % 2 == 0) {
      ours(), disk();
    } else {
      disk(), ours();
    }
  }
  const std::string path = opt.dir + "/torch_save.pt";
  std::vector<double> durable_wall, durable_cpu, as_is_wall;
  for (int n = 0; n < opt.reps; ++n) {
    fs::remove(path);
    using Pair = std::pair<double, double>;
    const Pair d = at_writer_priority<Pair>([&] {
      const double cpu0 = thread_cpu_seconds();
      const double w = torch_save(items, path, true);
      return Pair{w, thread_cpu_seconds() - cpu0};
    });
    durable_wall.push_back(d.first);
    durable_cpu.push_back(d.second);
    fs::remove(path);
    as_is_wall.push_back(at_writer_priority<double>([&] { return torch_save(items, path, false); }));
  }
  *torch_bytes = static_cast<double>(fs::file_size(path));
  fs::remove(path);
  // The ratio is the median of each pair's: the pairs are adjacent in time,
  // so the disk's drift (2x over seconds) cancels within a pair.
  std::vector<double> pair_ratios;
  for (size_t i = 0; i < wall.size(); ++i) pair_ratios.push_back(wall[i] / floor_wall[i]);
  const double floor = median(floor_wall), pair_ratio = median(pair_ratios);
  const double ours = median(wall), durable = median(durable_wall), as_is = median(as_is_wall);
  const double ours_cpu = median(cpu), saved_cpu = median(durable_cpu);
  const std::string flor_cell = gbps(bytes, ours) + " (" + ms(ours) + ")";
  return {
      {"durable write vs the disk: one direct write + fsync (the floor; median of 15 pairs)", flor_cell,
       gbps(bytes, floor) + " (" + ms(floor) + ")", times(pair_ratio), "<= 1.15x",
       pair_ratio <= 1.15 ? "yes" : "NO"},
      {"durable write vs torch::save + fsync (like for like)", flor_cell,
       gbps(bytes, durable) + " (" + ms(durable) + ")", times(durable / ours) + " faster", "information", "-"},
      {"durable write vs torch::save as-is (page cache, not durable)", flor_cell,
       gbps(bytes, as_is) + " (" + ms(as_is) + ")", times(as_is / ours) + " faster", "information", "-"},
      {"CPU time of that write vs torch::save", ms(ours_cpu), ms(saved_cpu),
       times(saved_cpu / ours_cpu) + " less", ">= 3x less", saved_cpu / ours_cpu >= 3 ? "yes" : "NO"},
  };
}

Row row_restore(const Options& opt, std::vector<StateItem>& items) {
  CheckpointEngine engine(opt.dir + "/restore");
  const WriteReport report = checkpoint(engine, items, "r.ckpt");
  const double ours = median_of(opt.reps, [&] {
    return seconds([&] {
      const flor::Status s = CheckpointEngine::restore(report.path, items);
      if (!s.ok()) std::fprintf(stderr, "record_replay: %s\n", s.to_string().c_str()), std::exit(1);
    });
  });
  // Raw read of the same bytes from the same files into the same tensors, in
  // the same 256 KiB chunks: what restore adds is checking and hashing.
  auto manifest = flor::ckpt::read_manifest(report.path);
  std::map<std::string, flor::ckpt::ManifestEntry> where;
  for (const auto& e : manifest->entries) where[e.key] = e;
  const std::string dir = opt.dir + "/restore";
  const double raw = median_of(opt.reps, [&] {
    return seconds([&] {
      std::map<uint64_t, flor::Fd> packs;
      for (const auto& it : items) {
        const auto& blob = where.at(it.key).blob;
        if (blob.nbytes == 0) continue;
        if (!packs.count(blob.pack_id)) {
          packs[blob.pack_id] = std::move(flor::open_read(flor::ckpt::pack_path(dir, blob.pack_id)).value());
        }
        auto* dst = static_cast<char*>(it.tensor.data_ptr());
        for (uint64_t done = 0; done < blob.nbytes; done += kReadChunk) {
          const size_t n = static_cast<size_t>(std::min<uint64_t>(kReadChunk, blob.nbytes - done));
          (void)flor::pread_exact(packs[blob.pack_id], dst + done, n,
                                      static_cast<int64_t>(blob.offset + done), "pack");
        }
      }
    });
  });
  return ratio_row("restore vs raw read (warm page cache)", ms(ours), ms(raw), ours / raw, 1.5,
                   "<= 1.5x");
}

Row row_bytes(const Options& opt, const std::vector<StateItem>& items, double torch_bytes) {
  CheckpointEngine engine(opt.dir + "/bytes");
  const auto written = static_cast<double>(checkpoint(engine, items, "b.ckpt").bytes_written);
  // Slots are 4 KiB-aligned for direct I/O: up to 4 KiB of padding per tensor.
  return ratio_row("bytes on disk per checkpoint vs torch::save", mb(written), mb(torch_bytes),
                   written / torch_bytes, 1.01, "<= 1.01x");
}

// Half the model frozen: the 2nd checkpoint of a run, and the 1st checkpoint
// of a new run (a new engine: another process) on the same directory, which
// finds the frozen half in the first run's pack.
std::vector<Row> rows_frozen(const Options& opt) {
  Model m = make_model(opt.width, /*frozen=*/2);
  train_step(m, opt.width);
  const std::string dir = opt.dir + "/frozen";
  double written[2];
  {
    CheckpointEngine engine(dir);
    checkpoint(engine, gather_state(m), "f1.ckpt");
    train_step(m, opt.width);
    written[0] = static_cast<double>(checkpoint(engine, gather_state(m), "f2.ckpt").bytes_written);
  }
  train_step(m, opt.width);
  const auto items = gather_state(m);
  {
    CheckpointEngine new_run(dir);
    written[1] = static_cast<double>(checkpoint(new_run, items, "g1.ckpt").bytes_written);
  }
  torch_save(items, opt.dir + "/frozen.pt", false);
  const auto saved = static_cast<double>(fs::file_size(opt.dir + "/frozen.pt"));
  // The frozen half of the parameters is this share of the state (no Adam state).
  double frozen_bytes = 0;
  for (const auto& it : items) {
    if (it.key.rfind("model/", 0) == 0 && !it.tensor.requires_grad()) {
      frozen_bytes += static_cast<double>(it.tensor.numel() * it.tensor.element_size());
    }
  }
  const double limit = 1.0 - frozen_bytes / static_cast<double>(state_bytes(items)) + 0.02;
  const std::string goal = "<= " + times(limit) + " (dedup)";
  return {ratio_row("2nd checkpoint, half the model frozen, vs torch::save", mb(written[0]), mb(saved),
                    written[0] / saved, limit, goal),
          ratio_row("a new run's 1st checkpoint, same frozen half", mb(written[1]), mb(saved),
                    written[1] / saved, limit, goal)};
}

// How many fsyncs the layout costs: our one pack per checkpoint against one
// durable file per tensor (write, fsync, rename, fsync dir each).
Row row_fsync_layout(const Options& opt, const std::vector<StateItem>& items) {
  int n = 0;
  const double ours = median_of(opt.reps, [&] {
    ScratchDir dir(opt.dir + "/layout" + std::to_string(n++));
    CheckpointEngine engine(dir.path);
    return checkpoint(engine, items, "l.ckpt").write_seconds;
  });
  int m = 0;
  const double per_file = median_of(opt.reps, [&] {
    ScratchDir dir(opt.dir + "/perfile" + std::to_string(m++));
    return seconds([&] {
      int i = 0;
      for (const auto& it : items) {
        auto file = flor::DurableFile::create(dir.path + "/" + std::to_string(i++));
        (void)file->append(it.tensor.data_ptr(), it.tensor.numel() * it.tensor.element_size());
        (void)file->commit();
      }
    });
  });
  return {"durable write: one pack vs a file per tensor (" + std::to_string(items.size()) +
              " tensors)",
          ms(ours) + " (4 fsyncs)", ms(per_file) + " (" + std::to_string(2 * items.size()) + " fsyncs)",
          times(ours / per_file), "information", "-"};
}

// --- the runtime on the example: record overhead, replay with memoization ----

// A program built beside this benchmark, by its path under the build folder.
fs::path built(const std::string& rel) { return fs::read_symlink("/proc/self/exe").parent_path().parent_path() / rel; }

// A program started with its output read through a pipe (stderr with it).
FILE* start_program(const fs::path& bin, const std::string& args, const std::string& env) {
  const std::string cmd = env + " OPENBLAS_NUM_THREADS=1 " + bin.string() + " " + args + " 2>&1";
  return ::popen(cmd.c_str(), "r");
}

// Reads a started program's output to its end and returns the sum of the
// times its lines starting with `prefix` end with ("epoch 1/3 ... (0.873 s)",
// "loop: 3000 steps (0.912 s)"): training time without process start-up and
// data loading. Negative when the program could not start or failed.
double finish_program(FILE* p, const char* prefix) {
  if (!p) return -1;
  double sum = 0;
  char line[512];
  while (std::fgets(line, sizeof(line), p)) {
    const char* open = std::strrchr(line, '(');
    if (std::strncmp(line, prefix, std::strlen(prefix)) == 0 && open) sum += std::atof(open + 1);
  }
  return ::pclose(p) == 0 ? sum : -1;
}

double run_seconds(const fs::path& bin, const std::string& args, const std::string& env, const char* prefix) {
  return finish_program(start_program(bin, args, env), prefix);
}

double epoch_seconds(const fs::path& bin, const std::string& args, const std::string& env) {
  return run_seconds(bin, args, env, "epoch ");
}

// A program of the Fashion-MNIST example.
double example_seconds(const std::string& program, const std::string& args, const std::string& env,
                       const char* prefix) {
  return run_seconds(built("examples/fashion_mnist/" + program), args, env, prefix);
}

double example_epoch_seconds(const std::string& program, const std::string& args, const std::string& env) {
  return example_seconds(program, args, env, "epoch ");
}

std::string example_args(const Options& opt) {
  return std::string("--epochs ") + (opt.full ? "6" : "2") + " --train-size 60000 --test-size 1000";
}

// The plain LibTorch program (train_plain) and the flor program recording
// with the default budget (eps 1/15), alternating. Consecutive runs of one
// program drift by 10-20% on a shared machine (noise only adds time), so each
// is the best of several. Negative when a run failed.
struct ExampleTimes {
  double plain = -1;
  double record = -1;
};

ExampleTimes time_example(const Options& opt) {
  const std::string home = "FLOR_HOME=" + opt.dir + "/flor-home";
  std::vector<double> plain, record;
  for (int i = 0; i < (opt.full ? 7 : 5); ++i) {
    plain.push_back(example_epoch_seconds("train_plain", example_args(opt), ""));
    record.push_back(example_epoch_seconds("train", example_args(opt) + " --flor bench", home));
    if (plain.back() <= 0 || record.back() <= 0) return {};
  }
  return {best(plain), best(record)};
}

// Goal: overhead <= 3%.
Row row_record_overhead(const ExampleTimes& t) {
  const std::string measure = "record (default eps) vs the plain program (Fashion-MNIST)";
  if (t.plain <= 0) return {measure, "failed", "", "", "<= 1.03x", "NO"};
  return ratio_row(measure, ms(t.record), ms(t.plain), t.record / t.plain, 1.03, "<= 1.03x");
}

// Without flor (no flags, no driver environment) flor::loop and flor::log pass
// through: what they add per iteration to a plain loop with the same body. A
// whole program's difference drowns in run-to-run noise; this does not.
Row row_inactive(const Options& opt) {
  constexpr int64_t kIters = 20'000'000;
  volatile double sink = 0;
  const double plain = median_of(opt.reps, [&] {
    return seconds([&] {
      double acc = 0;
      for (int64_t i = 0; i < kIters; ++i) {
        sink = acc += static_cast<double>(i);
      }
    });
  });
  const double flor = median_of(opt.reps, [&] {
    return seconds([&] {
      double acc = 0;
      for (int64_t i : flor::loop("batch", int64_t{0}, kIters)) {
        sink = flor::log("acc", acc += static_cast<double>(i));
      }
    });
  });
  const double added_ns = std::max(0.0, flor - plain) / kIters * 1e9;
  char f[64], b[64], r[64];
  std::snprintf(f, sizeof(f), "%.1f ns/iteration", flor / kIters * 1e9);
  std::snprintf(b, sizeof(b), "%.1f ns/iteration", plain / kIters * 1e9);
  std::snprintf(r, sizeof(r), "+%.1f ns", added_ns);
  return {"flor inactive: flor::loop + flor::log vs a plain loop", f, b, r, "<= 100 ns (vs ms-long steps)",
          added_ns <= 100 ? "yes" : "NO"};
}

// --- a log at every step (bench/log_steps) -------------------------------------

// flor::log recording in a tight loop (one epoch of `calls` logs, the
// hand-over of their rows included): the training thread's CPU time per call, amortised, vs
// the same loop without flor. Goal <= 1 us. CPU time, not wall time: the
// figure is about flor's work, and wall time on a shared machine is noise.
// The rows are stored on the log writer's thread (runtime/src/log_writer.h),
// so a second row gives the whole process's CPU time per call, every thread
// and the process's start and end included (an upper bound: the store's
// creation is in it), for information.
std::vector<Row> rows_log_call(const Options& opt) {
  const std::string home = "FLOR_HOME=" + opt.dir + "/flor-home";
  constexpr int64_t kCalls = 400000;
  struct Cost {
    double thread_ns = -1, process_ns = -1;
  };
  auto cost_per_call = [&](const std::string& flags, const std::string& env) {
    const std::string cmd = env + " " + built("bench/log_steps").string() + " --tight " + std::to_string(kCalls) +
                            " " + flags + " 2>&1";
    Cost c;
    const double children0 = children_cpu_seconds();
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return c;
    char line[512];
    while (std::fgets(line, sizeof(line), p)) {
      const char* at = std::strstr(line, " calls, ");
      if (std::strncmp(line, "tight: ", 7) == 0 && at) c.thread_ns = std::atof(at + 8);
    }
    if (::pclose(p) != 0) return Cost{};
    c.process_ns = (children_cpu_seconds() - children0) / kCalls * 1e9;
    return c;
  };
  std::vector<double> flor, plain, flor_process, plain_process;
  for (int i = 0; i < 3; ++i) {
    const Cost f = cost_per_call("--flor bench_log", home), b = cost_per_call("", "");
    flor.push_back(f.thread_ns), plain.push_back(b.thread_ns);
    flor_process.push_back(f.process_ns), plain_process.push_back(b.process_ns);
  }
  const double f = median(flor), b = median(plain);
  const double fp = median(flor_process), bp = median(plain_process);
  const std::string measure = "flor::log per call, recording (tight loop, the training thread's CPU)";
  const std::string whole = "the same, the whole process's CPU (the writer's thread, start and end included)";
  if (f <= 0 || b <= 0 || fp <= 0 || bp <= 0) return {{measure, "failed", "", "", "<= 1 us", "NO"}};
  auto ns = [](double v, const char* format) {
    char text[64];
    std::snprintf(text, sizeof(text), format, v);
    return std::string(text);
  };
  return {{measure, ns(f, "%.0f ns"), ns(b, "%.1f ns"), ns(f - b, "+%.0f ns"), "<= 1 us", f - b <= 1000 ? "yes" : "NO"},
          {whole, ns(fp, "%.0f ns"), ns(bp, "%.0f ns"), ns(fp - bp, "+%.0f ns"), "information", "-"}};
}

// A training program that logs its loss at every step (188 steps x 8 epochs),
// recorded with the default budget, vs the same program without flor (each
// flor call a branch), alternating, best of several (as time_example). Goal:
// within eps (1/15). Also, for information, the record without that log.
std::vector<Row> rows_log_steps(const Options& opt) {
  const std::string home = "FLOR_HOME=" + opt.dir + "/flor-home";
  const fs::path bin = built("bench/log_steps");
  const std::string args = "--epochs 8 --train-size 12000";
  std::vector<double> plain, logged, quiet;
  for (int i = 0; i < (opt.full ? 7 : 5); ++i) {
    plain.push_back(epoch_seconds(bin, args, ""));
    logged.push_back(epoch_seconds(bin, args + " --flor bench_steps", home));
    quiet.push_back(epoch_seconds(bin, args + " --log-steps 0 --flor bench_steps", home));
  }
  const double p = best(plain), l = best(logged), q = best(quiet);
  const std::string measure = "record with a log at every step vs the plain program (188 steps x 8)";
  if (p <= 0 || l <= 0 || q <= 0) return {{measure, "failed", "", "", "<= 1.067x", "NO"}};
  return {ratio_row(measure, ms(l), ms(p), l / p, 1.0 + 1.0 / 15, "<= 1.067x (eps)"),
          {"the same record without the per-step log vs the plain program", ms(q), ms(p), times(q / p),
           "information", "-"}};
}

// Replay of the newest run recorded above after adding an epoch-loop log
// (train_hindsight): blocks skipped and restored, vs retraining (the plain
// runs above); goal >= 50x.
Row row_replay_memoization(const Options& opt, const ExampleTimes& t) {
  const std::string home = "FLOR_HOME=" + opt.dir + "/flor-home";
  const double replay = t.plain <= 0 ? -1 : example_epoch_seconds("train_hindsight", "--replay_flor", home);
  if (replay <= 0) return {"replay with memoization vs retraining", "failed", "", "", ">= 50x faster", "NO"};
  const double speedup = t.plain / std::max(replay, 1e-3);
  char x[32];
  std::snprintf(x, sizeof(x), "%.0fx faster", speedup);
  return {"replay of a new epoch-loop log (memoized) vs retraining", ms(replay), ms(t.plain), x,
          ">= 50x faster", speedup >= 50 ? "yes" : "NO"};
}

// --- step loops (examples/fashion_mnist/train_steps) ---------------------------

// A step loop of the example: train_steps (no nested loop, a batch of `batch`
// sampled at random every step, a flor::log per step, a small MLP), `steps`
// steps; the edited program train_steps_in adds a log inside the loop.
struct StepLoop {
  int64_t steps = 0;
  int64_t batch = 0;
  int64_t train_size = 0;
  std::string args(int64_t n) const {
    return "--steps " + std::to_string(n) + " --batch-size " + std::to_string(batch) + " --train-size " +
           std::to_string(train_size) + " --print-every 1000";
  }
  std::string args() const { return args(steps); }
  std::string label() const { return "step loop (" + std::to_string(steps) + " steps"; }
};

constexpr const char* kStepsName = "steps";  // the experiment of every step-loop record

// The store's files (flor.db and, as the program left them, its WAL and
// shared-memory index).
double store_file_bytes(const std::string& home) {
  double bytes = 0;
  for (const auto& e : fs::directory_iterator(fs::path(home) / kStepsName)) {
    if (e.is_regular_file() && e.path().filename().string().rfind("flor.db", 0) == 0) {
      bytes += static_cast<double>(e.file_size());
    }
  }
  return bytes;
}

// What the store keeps: its files once the WAL is folded into flor.db (the
// last connection to close checkpoints the WAL and removes it).
double store_kept_bytes(const std::string& home) {
  if (!flor::store::Store::open(home, kStepsName, flor::store::OpenMode::kExisting).ok()) return -1;
  return store_file_bytes(home);
}

// Their minor page faults.
double child_faults() { return static_cast<double>(children_usage().ru_minflt); }

// The loop without flor vs recording it with the default budget, alternating,
// best of `reps` each (noise only adds time); record i goes to FLOR_HOME
// `home_prefix`-i. Also the memory each process touched (minor page faults,
// the fewest of the runs): memory that LibTorch's per-step tensors get fresh
// because flor's allocations fragmented the heap shows here first.
std::vector<Row> rows_step_record(const StepLoop& loop, const std::string& home_prefix, int reps) {
  const std::string measure = loop.label() + ") record vs the same program without flor";
  const std::string faults = loop.label() + "): page faults of the record vs the program without flor";
  std::vector<double> plain, record, plain_faults, record_faults;
  for (int i = 0; i < reps; ++i) {
    const std::string home = "FLOR_HOME=" + home_prefix + std::to_string(i);
    double before = child_faults();
    plain.push_back(example_seconds("train_steps", loop.args(), "", "loop: "));
    plain_faults.push_back(child_faults() - before);
    before = child_faults();
    record.push_back(example_seconds("train_steps", loop.args() + " --flor " + kStepsName, home, "loop: "));
    record_faults.push_back(child_faults() - before);
    if (plain.back() <= 0 || record.back() <= 0)
      return {{measure, "failed", "", "", "<= 1.067x (eps)", "NO"}, {faults, "failed", "", "", "<= 1.05x", "NO"}};
  }
  const double p = best(plain), r = best(record), pf = best(plain_faults), rf = best(record_faults);
  char per_step[64], pf_text[32], rf_text[32];
  std::snprintf(per_step, sizeof(per_step), ", %.2f ms/step", p / static_cast<double>(loop.steps) * 1e3);
  std::snprintf(pf_text, sizeof(pf_text), "%.0f", pf);
  std::snprintf(rf_text, sizeof(rf_text), "%.0f", rf);
  return {ratio_row(loop.label() + per_step + ") record vs the same program without flor", ms(r), ms(p), r / p,
                    1.0 + 1.0 / 15, "<= 1.067x (eps)"),
          ratio_row(faults, rf_text, pf_text, rf / pf, 1.05, "<= 1.05x")};
}

// Store bytes per step, amortised: what a record of 2N steps keeps beyond one
// of N steps, per step (the fixed part, schema and run rows, cancels); for
// information also the files one N-step record left (`first_home`, its WAL
// included), per step.
Row row_step_bytes(const StepLoop& loop, const std::string& first_home, const std::string& dir) {
  const std::string measure = loop.label() + "): store (flor.db) bytes per step, amortised (2N vs N steps)";
  const double as_left = store_file_bytes(first_home);
  const std::string home2 = dir + "/steps-2n";
  const double ok2 = example_seconds("train_steps", loop.args(2 * loop.steps) + " --flor " + kStepsName,
                                     "FLOR_HOME=" + home2, "loop: ");
  const double kept1 = store_kept_bytes(first_home), kept2 = store_kept_bytes(home2);
  fs::remove_all(home2);
  if (ok2 <= 0 || kept1 <= 0 || kept2 <= 0) return {measure, "failed", "", "", "<= 1024 B", "NO"};
  const double n = static_cast<double>(loop.steps);
  const double per_step = (kept2 - kept1) / n;
  char f[96], b[96];
  std::snprintf(f, sizeof(f), "%.0f B/step", per_step);
  std::snprintf(b, sizeof(b), "one record as left: %.0f B/step", as_left / n);
  return {measure, f, b, "", "<= 1024 B", per_step <= 1024 ? "yes" : "NO"};
}

// The longer of the two newest replay runs' segments, in steps.
int64_t longer_segment(const std::string& home) {
  auto store = flor::store::Store::open(home, kStepsName, flor::store::OpenMode::kExisting);
  if (!store.ok()) return -1;
  auto runs = (*store)->runs();  // newest first
  if (!runs.ok()) return -1;
  int64_t longest = -1;
  int seen = 0;
  for (const auto& run : *runs) {
    if (run.kind != flor::store::RunKind::kReplay || seen++ == 2) continue;
    auto epochs = (*store)->epochs(run.id);
    if (!epochs.ok()) return -1;
    int64_t n = 0;
    for (const auto& e : *epochs) n += e.iters;
    longest = std::max(longest, n);
  }
  return seen >= 2 ? longest : -1;
}

// Replay -j 2 of the record in `home` (its first, recorded above) after a log
// was added inside the loop (train_steps_in: the loop must run): its two
// segments started together as two processes (--replay_flor 1/2 and 2/2, what
// `flor replay -j 2` starts), vs the edited program without flor, alternating,
// best of 3. Loop time: the longer segment's, its restore included; process
// time (start-up, data, store) in parentheses. Segments start at checkpoints,
// so the ideal is the longer segment's share of the steps plus a restore.
Row row_step_replay(const StepLoop& loop, const std::string& home) {
  const std::string measure = loop.label() + ") replay -j 2, a log added in the loop, vs that program without flor";
  const fs::path bin = built("examples/fashion_mnist/train_steps_in");
  std::vector<double> plain, plain_wall, replay, replay_wall;
  for (int i = 0; i < 3; ++i) {
    plain_wall.push_back(seconds([&] { plain.push_back(run_seconds(bin, loop.args(), "", "loop: ")); }));
    replay_wall.push_back(seconds([&] {
      FILE* one = start_program(bin, loop.args() + " --replay_flor 1/2", "FLOR_HOME=" + home);
      FILE* two = start_program(bin, loop.args() + " --replay_flor 2/2", "FLOR_HOME=" + home);
      const double a = finish_program(one, "loop: "), b = finish_program(two, "loop: ");
      replay.push_back(a <= 0 || b <= 0 ? -1 : std::max(a, b));
    }));
    if (plain.back() <= 0 || replay.back() <= 0) return {measure, "failed", "", "", "", "NO"};
  }
  const int64_t longer = longer_segment(home);
  if (longer <= 0) return {measure, "failed: no two segments in the store", "", "", "", "NO"};
  const double p = best(plain), r = best(replay);
  char goal[96], f[64], b[64];
  std::snprintf(goal, sizeof(goal), "ideal %.2fx + a restore (segment of %lld steps)",
                static_cast<double>(longer) / static_cast<double>(loop.steps), static_cast<long long>(longer));
  std::snprintf(f, sizeof(f), "%s (processes %.2f s)", ms(r).c_str(), best(replay_wall));
  std::snprintf(b, sizeof(b), "%s (process %.2f s)", ms(p).c_str(), best(plain_wall));
  return {measure, f, b, times(r / p), goal, "-"};
}

// Two step loops: 3000 steps well under a millisecond each, and 100 steps of
// about 20 ms (a bigger batch); for each the record overhead, the store's
// bytes per step and a replay with -j 2.
std::vector<Row> rows_step_loop(const Options& opt) {
  const int reps = opt.full ? 7 : 5;
  std::vector<Row> rows;
  int n = 0;
  for (const StepLoop& loop : {StepLoop{3000, 32, 2000}, StepLoop{100, 4096, 10000}}) {
    const std::string prefix = opt.dir + "/steps-" + std::to_string(n++) + "-home-";
    for (Row& row : rows_step_record(loop, prefix, reps)) rows.push_back(std::move(row));
    rows.push_back(row_step_bytes(loop, prefix + "0", opt.dir));
    rows.push_back(row_step_replay(loop, prefix + "0"));
  }
  return rows;
}

// --- the report ------------------------------------------------------------------

std::string read_cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

std::string fs_type(const std::string& dir) {
  struct statfs st {};
  if (::statfs(dir.c_str(), &st) != 0) return "unknown";
  switch (static_cast<unsigned long>(st.f_type)) {
    case 0xEF53: return "ext4";
    case 0x01021994: return "tmpfs";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x794c7630: return "overlayfs";
    default: {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "0x%lx", static_cast<unsigned long>(st.f_type));
      return buf;
    }
  }
}

void print_facts(int argc, char** argv, const Options& opt) {
  std::string cmd;
  for (int i = 0; i < argc; ++i) cmd += (i ? " " : "") + std::string(argv[i]);
  utsname u{};
  ::uname(&u);
  double load[3] = {0, 0, 0};
  ::getloadavg(load, 3);
  std::printf("command: %s\n", cmd.c_str());
  std::printf("machine: %s, %ld cores, %.1f GiB RAM, Linux %s, load %.2f %.2f %.2f\n",
              read_cpu_model().c_str(), ::sysconf(_SC_NPROCESSORS_ONLN),
              static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * ::sysconf(_SC_PAGESIZE) / (1 << 30),
              u.release, load[0], load[1], load[2]);
  std::printf("libtorch %d.%d.%d, torch threads %d; files in %s (%s); mode %s, median of %d\n\n",
              TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR, TORCH_VERSION_PATCH, at::get_num_threads(),
              opt.dir.c_str(), fs_type(opt.dir).c_str(), opt.full ? "full" : "quick", opt.reps);
}

void print_table(const std::vector<Row>& rows) {
  const std::vector<std::string> head = {"measure", "flor", "baseline", "ratio", "goal", "met"};
  std::vector<size_t> w(head.size());
  auto cells = [](const Row& r) {
    return std::vector<std::string>{r.measure, r.flor, r.baseline, r.ratio, r.goal, r.verdict};
  };
  for (size_t i = 0; i < head.size(); ++i) w[i] = head[i].size();
  for (const auto& r : rows) {
    const auto c = cells(r);
    for (size_t i = 0; i < c.size(); ++i) w[i] = std::max(w[i], c[i].size());
  }
  auto line = [&](const std::vector<std::string>& c) {
    std::printf("|");
    for (size_t i = 0; i < c.size(); ++i) std::printf(" %-*s |", static_cast<int>(w[i]), c[i].c_str());
    std::printf("\n");
  };
  line(head);
  std::vector<std::string> rule;
  rule.reserve(w.size());
  for (size_t x : w) rule.push_back(std::string(x, '-'));
  line(rule);
  for (const auto& r : rows) line(cells(r));
}

}  // namespace

int main(int argc, char** argv) try {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--full") == 0) {
      opt.full = true;
      opt.width = 3072;  // 37.8M parameters
      opt.reps = 7;
    } else if (std::strcmp(argv[i], "--step-loop") == 0) {
      opt.step_loop_only = true;
    } else if (std::strcmp(argv[i], "--logs") == 0) {
      opt.logs_only = true;
    } else if (std::strcmp(argv[i], "--write") == 0) {
      opt.write_only = true;
    } else {
      std::fprintf(stderr, "usage: record_replay [--full] [--step-loop | --logs | --write]\n");
      return 2;
    }
  }
  at::set_num_threads(1);
  torch::manual_seed(0);
  const char* env_dir = std::getenv("FLOR_BENCH_DIR");
  std::string tmpl = (fs::temp_directory_path() / "flor-bench-XXXXXX").string();
  opt.dir = env_dir ? env_dir : ::mkdtemp(tmpl.data());
  fs::create_directories(opt.dir);
  print_facts(argc, argv, opt);
  if (opt.step_loop_only) {
    print_table(rows_step_loop(opt));
    if (!env_dir) fs::remove_all(opt.dir);
    return 0;
  }

  std::vector<Row> rows;
  if (!opt.logs_only) {
    Model model = make_model(opt.width, /*frozen=*/0);
    train_step(model, opt.width);  // Adam state exists after a step
    std::vector<StateItem> items = gather_state(model);
    double torch_bytes = 0;
    rows.push_back(row_stall(opt, items));
    for (Row& r : rows_write(opt, items, &torch_bytes)) rows.push_back(std::move(r));
    if (opt.write_only) {
      print_table(rows);
      if (!env_dir) fs::remove_all(opt.dir);
      return 0;
    }
    rows.push_back(row_restore(opt, items));
    rows.push_back(row_bytes(opt, items, torch_bytes));
    for (Row& r : rows_frozen(opt)) rows.push_back(std::move(r));
    rows.push_back(row_fsync_layout(opt, items));
    const ExampleTimes example = time_example(opt);
    rows.push_back(row_inactive(opt));
    rows.push_back(row_record_overhead(example));
    rows.push_back(row_replay_memoization(opt, example));
    for (Row& r : rows_step_loop(opt)) rows.push_back(std::move(r));
  }
  for (Row& r : rows_log_call(opt)) rows.push_back(std::move(r));
  for (Row& r : rows_log_steps(opt)) rows.push_back(std::move(r));
  print_table(rows);
  if (!env_dir) fs::remove_all(opt.dir);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "record_replay: %s\n", e.what());
  return 1;
}
