// bench/gpu_stall: capturing device state (issue #17) against a plain
// cudaMemcpy of the same bytes into page-locked host memory, side by side in
// one run, printed as one table of ratios with the goals.
//
//   gpu_stall            ~1 GB of state: 5 Linear(4096, 4096) layers + Adam, on cuda:0
//   gpu_stall --mb N     about N MB of state instead (layers of 4096 x 4096, at least one)
//   FLOR_BENCH_DIR=/path where checkpoints go (default: a fresh dir under /tmp)
//
// The first checkpoint is restored into zeroed device tensors and compared,
// bit for bit, before anything is timed. Rows: the state in host memory (flor: capture() until its copies finished,
// WriteReport::copy_seconds; floor: one cudaMemcpy of a buffer of the same
// size), median of 5; the training loop's stall at a checkpoint (what
// capture() blocks the training thread for) against that copy time; and what
// a checkpoint adds to 40 training steps (the training stream waits for the
// copies before its next kernel, ckpt/cuda_rt.h), for reference.
// Without a CUDA device it says so and exits 0.
#include <torch/torch.h>

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "ckpt/cuda_rt.h"
#include "ckpt/engine.h"

namespace {

namespace fs = std::filesystem;
using flor::rt::CheckpointEngine;
using flor::rt::StateItem;
using flor::rt::WriteReport;
using Clock = std::chrono::steady_clock;
constexpr int kRepeats = 5;
constexpr int kSteps = 40;
constexpr int64_t kWidth = 4096, kBatch = 256;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "gpu_stall: %s\n", what.c_str());
  std::exit(1);
}

void check(const flor::Status& s, const char* what) {
  if (!s.ok()) die(std::string(what) + ": " + s.to_string());
}

struct Model {
  torch::nn::Sequential net;
  std::unique_ptr<torch::optim::Adam> adam;
  torch::Tensor x, y;

  explicit Model(int layers) {
    for (int i = 0; i < layers; ++i) net->push_back(torch::nn::Linear(kWidth, kWidth));
    net->to(torch::kCUDA);
    adam = std::make_unique<torch::optim::Adam>(net->parameters(), torch::optim::AdamOptions(1e-4));
    x = torch::randn({kBatch, kWidth}, torch::kCUDA);
    y = torch::randn({kBatch, kWidth}, torch::kCUDA);
  }
  void step() {
    adam->zero_grad();
    torch::mse_loss(net->forward(x), y).backward();
    adam->step();
  }
  // The parameters and Adam's moments (created by the first step).
  std::vector<StateItem> state() const {
    std::vector<StateItem> items;
    int i = 0;
    for (const auto& p : net->parameters()) items.push_back({"model/" + std::to_string(i++), p});
    i = 0;
    for (const auto& kv : adam->state()) {
      const auto& s = static_cast<const torch::optim::AdamParamState&>(*kv.second);
      items.push_back({"optim/" + std::to_string(i) + "/exp_avg", s.exp_avg()});
      items.push_back({"optim/" + std::to_string(i++) + "/exp_avg_sq", s.exp_avg_sq()});
    }
    return items;
  }
};

size_t bytes_of(const std::vector<StateItem>& items) {
  size_t n = 0;
  for (const auto& i : items) n += static_cast<size_t>(i.tensor.numel()) * i.tensor.element_size();
  return n;
}

// One capture after the previous write finished: {stall, copy seconds}.
std::pair<double, double> capture(CheckpointEngine& engine, const std::vector<StateItem>& items, int n) {
  engine.wait();
  WriteReport report;
  auto stall = engine.capture(items, "bench-" + std::to_string(n) + ".ckpt", [&](const WriteReport& r) { report = r; });
  if (!stall.ok()) die("capture: " + stall.status().to_string());
  engine.wait();
  check(report.status, "checkpoint write");
  if (!report.device_copies) die("the capture did not copy asynchronously (arena not page-locked?)");
  return {*stall, report.copy_seconds};
}

// One cudaMemcpy of `bytes` from a device buffer into page-locked memory.
double floor_copy(size_t bytes) {
  torch::Tensor dev = torch::ones({static_cast<int64_t>(bytes)}, torch::TensorOptions(torch::kUInt8).device(torch::kCUDA));
  void* host = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (host == MAP_FAILED) die("mmap failed");
  std::memset(host, 0, bytes);
  check(flor::rt::cuda::pin(host, bytes), "page-locking the floor's buffer");
  std::vector<double> t;
  for (int i = 0; i < kRepeats + 1; ++i) {
    torch::cuda::synchronize();
    const auto t0 = Clock::now();
    check(flor::rt::cuda::copy_sync(host, dev.data_ptr(), bytes), "cudaMemcpy");
    if (i > 0) t.push_back(seconds_since(t0));  // the first one warms the path up
  }
  flor::rt::cuda::unpin(host);
  ::munmap(host, bytes);
  return median(t);
}

// kSteps training steps, with a checkpoint after the middle one or not.
double loop_seconds(Model& m, CheckpointEngine& engine, bool checkpoint, int n) {
  engine.wait();
  torch::cuda::synchronize();
  const auto t0 = Clock::now();
  for (int s = 0; s < kSteps; ++s) {
    m.step();
    if (checkpoint && s == kSteps / 2) {
      auto stall = engine.capture(m.state(), "loop-" + std::to_string(n) + ".ckpt", nullptr);
      if (!stall.ok()) die("capture: " + stall.status().to_string());
    }
  }
  torch::cuda::synchronize();
  return seconds_since(t0);
}

std::string ms(double s) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f ms", s * 1e3);
  return b;
}

std::string times(double r) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2fx", r);
  return b;
}

void row(const std::string& measure, const std::string& flor, const std::string& base, const std::string& ratio,
         const std::string& goal, const std::string& met) {
  std::printf("| %s | %s | %s | %s | %s | %s |\n", measure.c_str(), flor.c_str(), base.c_str(), ratio.c_str(),
              goal.c_str(), met.c_str());
}

}  // namespace

int main(int argc, char** argv) try {
  int mb = 1024;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--mb") == 0 && i + 1 < argc) {
      mb = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: gpu_stall [--mb N]\n");
      return 2;
    }
  }
  if (!torch::cuda::is_available() || !flor::rt::cuda::available()) {
    std::printf("gpu_stall: no CUDA device (or a CPU-only LibTorch): nothing to measure\n");
    return 0;
  }
  const double layer_mb = 3.0 * kWidth * (kWidth + 1) * 4 / 1e6;  // a layer's parameters and Adam's two moments
  Model m(std::max(1, static_cast<int>(std::lround(mb / layer_mb))));
  m.step();  // Adam's state exists from here
  const std::vector<StateItem> items = m.state();
  const size_t bytes = bytes_of(items);

  const fs::path dir = std::getenv("FLOR_BENCH_DIR") ? fs::path(std::getenv("FLOR_BENCH_DIR"))
                                                     : fs::temp_directory_path() / ("flor-gpu-stall-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  CheckpointEngine engine(dir.string());
  check(engine.reserve(static_cast<int64_t>(bytes)), "reserving the staging arena");

  capture(engine, items, 0);  // page-locks the arena: a one-time set-up
  // The asynchronous copies must have copied the state as it was: restored
  // into zeroed tensors on the device, it is the same bit for bit.
  std::vector<StateItem> back;
  back.reserve(items.size());
  for (const auto& i : items) back.push_back({i.key, torch::zeros_like(i.tensor)});
  check(CheckpointEngine::restore((dir / "bench-0.ckpt").string(), back), "restoring the first checkpoint");
  for (size_t i = 0; i < items.size(); ++i) {
    if (!torch::equal(items[i].tensor, back[i].tensor)) die("restored tensor '" + items[i].key + "' differs");
  }
  back.clear();
  std::vector<double> stalls, copies;
  for (int i = 1; i <= kRepeats; ++i) {
    m.step();  // new values each time: nothing deduplicated
    torch::cuda::synchronize();
    auto [stall, copy] = capture(engine, items, i);
    stalls.push_back(stall);
    copies.push_back(copy);
  }
  const double floor = floor_copy(bytes);
  const double copy = median(copies), stall = median(stalls);

  std::vector<double> plain, with_ckpt;
  for (int i = 0; i < 3; ++i) {
    plain.push_back(loop_seconds(m, engine, false, i));
    with_ckpt.push_back(loop_seconds(m, engine, true, i));
  }
  engine.wait();
  const double added = median(with_ckpt) - median(plain);

  std::printf("state: %.1f MB in %zu tensors (%s)\n", static_cast<double>(bytes) / 1e6, items.size(),
              torch::cuda::device_count() > 0 ? "cuda:0" : "?");
  row("measure", "flor", "baseline", "ratio", "goal", "met");
  row("---", "---", "---", "---", "---", "---");
  row("state in host memory vs one cudaMemcpy into pinned memory", ms(copy), ms(floor), times(copy / floor),
      "<= 1.20x", copy / floor <= 1.2 ? "yes" : "NO");
  row("training loop's stall at a checkpoint vs that copy", ms(stall), ms(floor), times(stall / floor), "< 1x",
      stall < floor ? "yes" : "NO");
  row(std::to_string(kSteps) + " steps with a checkpoint vs without", ms(median(with_ckpt)), ms(median(plain)),
      "+" + ms(added), "(reference)", "");
  std::error_code ec;
  if (!std::getenv("FLOR_BENCH_DIR")) fs::remove_all(dir, ec);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "gpu_stall: %s\n", e.what());
  return 1;
}
