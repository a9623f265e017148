// bench/rich_values: what logging a typed value costs, against a plain copy
// of the same bytes plus the value's own encoding, side by side in one run:
//
//   FLOR_HOME=$(mktemp -d) rich_values --flor bench [--reps 20]
//
// Each of the three values is logged in epochs of its own (so its time
// includes the epoch's store write, and its blob file): a 1000x1000
// float tensor (stored whole, 4 MB), a 30-bin histogram of 10M floats, and a
// 64x64 RGB image (PNG). The baseline copies the tensor's bytes into a reused
// buffer and runs the encoding alone (none for the tensor; the histogram's
// two passes; the PNG encoder). Prints median milliseconds and the ratio.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <flor/flor.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

#include "typed_values.h"

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
  int kind;  // 0 tensor, 1 histogram, 2 image
};

}  // namespace

int main(int argc, char** argv) {
  flor::init(argc, argv);
  const int64_t reps = flor::arg("reps", int64_t{20});
  at::manual_seed(0);
  at::set_num_threads(1);
  std::vector<Case> cases{{"tensor 1000x1000 float", at::rand({1000, 1000}), 0},
                          {"histogram of 10M floats", at::randn({10000000}), 1},
                          {"image 64x64x3", at::rand({3, 64, 64}), 2}};
  std::vector<char> buffer(40000000);
  std::memset(buffer.data(), 1, buffer.size());  // pre-faulted, reused
  std::vector<std::vector<double>> logged(cases.size()), plain(cases.size());
  // Epoch e logs case e % 3; its time runs from the log to the start of the
  // next epoch, so it includes the epoch's store write (and blob file).
  Clock::time_point log_start{};
  size_t last = 0;
  auto charge = [&] {
    if (log_start != Clock::time_point{}) {
      logged[last].push_back(std::chrono::duration<double, std::milli>(Clock::now() - log_start).count());
    }
  };
  for (int64_t epoch : flor::loop("epoch", 0, reps * static_cast<int64_t>(cases.size()))) {
    charge();
    const size_t i = static_cast<size_t>(epoch) % cases.size();
    const Case& c = cases[i];
    plain[i].push_back(time_ms([&] {
      std::memcpy(buffer.data(), c.t.data_ptr(), c.t.nbytes());
      if (c.kind == 1) (void)flor::rt::histogram_value(c.t, 30);
      if (c.kind == 2) (void)flor::rt::image_value(c.t);
    }));
    last = i;
    log_start = Clock::now();
    if (c.kind == 0) flor::log("tensor", c.t);
    if (c.kind == 1) flor::histogram("histogram", c.t);
    if (c.kind == 2) flor::image("image", c.t);
  }
  charge();
  std::printf("%-26s %12s %12s %7s\n", "value", "flor (ms)", "plain (ms)", "ratio");
  for (size_t i = 0; i < cases.size(); ++i) {
    const double a = median(logged[i]), b = median(plain[i]);
    std::printf("%-26s %12.3f %12.3f %7.2f\n", cases[i].what, a, b, a / b);
  }
  return 0;
}
