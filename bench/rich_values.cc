// bench/rich_values: what logging a typed value costs, against a plain copy
// of the same bytes plus the value's own encoding, side by side in one run:
//
//   FLOR_HOME=$(mktemp -d) rich_values --flor bench [--reps 20]
//
// Each of the three values is logged in epochs of its own, changed a little
// each time (a new content key: every log writes its blob file, none is
// deduplicated): a 1000x1000 float tensor (stored whole, 4 MB), a 30-bin
// histogram of 10M floats, and a 64x64 RGB image (PNG). Two flor times: the
// log call alone, and the log through the end of its epoch (the epoch's
// store write and the value's blob file, made durable). The baseline copies
// the tensor's bytes into a reused buffer and runs the encoding alone (none
// for the tensor; the histogram's two passes; the PNG encoder); a second one
// adds a durable write of the payload's bytes (write_file_atomic: write,
// fsync, rename, fsync of the folder). Prints medians in milliseconds and
// the ratios.
#include <ATen/ATen.h>
#include <unistd.h>
#include <ATen/Parallel.h>
#include <flor/flor.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "typed_values.h"
#include "util/durable_file.h"

namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

template <typename F>
double time_ms(F&& f) {
  const auto t0 = Clock::now();
  f();
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

struct Case {
  const char* what;
  at::Tensor t;
  int kind;  // 0 tensor, 1 histogram, 2 image, 3 nothing (an epoch's own cost)
  std::vector<double> call, epoch, plain, durable;
};

// The payload flor keeps for a case (for the durable-write baseline).
std::string payload(const Case& c) {
  if (c.kind == 0) return std::string(static_cast<const char*>(c.t.data_ptr()), c.t.nbytes());
  if (c.kind == 1) return flor::rt::histogram_value(c.t, 30)->data;
  if (c.kind == 2) return flor::rt::image_value(c.t)->data;
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  flor::init(argc, argv);
  const int64_t reps = flor::arg("reps", int64_t{20});
  const std::string scratch = flor::arg("scratch", std::string("/tmp"));
  at::manual_seed(0);
  at::set_num_threads(1);
  std::vector<Case> cases{{"tensor 1000x1000 float", at::rand({1000, 1000}), 0},
                          {"histogram of 10M floats", at::randn({10000000}), 1},
                          {"image 64x64x3", at::rand({3, 64, 64}), 2},
                          {"nothing (the epoch alone)", at::Tensor(), 3}};
  std::vector<char> buffer(40000000);
  std::memset(buffer.data(), 1, buffer.size());  // pre-faulted, reused
  // Epoch e logs case e % 4 inside a block (so every epoch ends with its own
  // store write); its time runs from the log to the start of the next epoch.
  Clock::time_point log_start{};
  Case* last = nullptr;
  const std::string durable_path = scratch + "/flor-bench-rich-values-" + std::to_string(::getpid());
  for (int64_t epoch : flor::loop("epoch", 0, reps * static_cast<int64_t>(cases.size()))) {
    if (last) last->epoch.push_back(std::chrono::duration<double, std::milli>(Clock::now() - log_start).count());
    Case& c = cases[static_cast<size_t>(epoch) % cases.size()];
    // A new value each time: the first element moves by a pixel's step.
    if (c.t.defined()) c.t.view({-1})[0] = static_cast<double>(epoch % 200) / 256.0;
    c.plain.push_back(time_ms([&] {
      if (c.t.defined()) std::memcpy(buffer.data(), c.t.data_ptr(), c.t.nbytes());
      if (c.kind == 1) (void)flor::rt::histogram_value(c.t, 30);
      if (c.kind == 2) (void)flor::rt::image_value(c.t);
    }));
    const std::string bytes = payload(c);
    c.durable.push_back(time_ms([&] {
      if (!bytes.empty()) (void)flor::write_file_atomic(durable_path, bytes);
    }));
    last = &c;
    flor::block("log", [&] {
      log_start = Clock::now();
      c.call.push_back(time_ms([&] {
        if (c.kind == 0) flor::log("tensor", c.t);
        if (c.kind == 1) flor::histogram("histogram", c.t);
        if (c.kind == 2) flor::image("image", c.t);
      }));
    });
  }
  if (last) last->epoch.push_back(std::chrono::duration<double, std::milli>(Clock::now() - log_start).count());
  std::remove(durable_path.c_str());
  std::printf("%-26s %9s %9s %9s %9s %7s %7s\n", "value", "call", "epoch", "plain", "+durable", "call/p",
              "epoch/(p+d)");
  for (const Case& c : cases) {
    const double call = median(c.call), all = median(c.epoch), plain = median(c.plain);
    const double durable = median(c.durable);
    std::printf("%-26s %9.3f %9.3f %9.3f %9.3f", c.what, call, all, plain, durable);
    if (c.t.defined()) std::printf(" %7.2f %7.2f", call / plain, all / (plain + durable));
    std::printf("\n");
  }
  return 0;
}
