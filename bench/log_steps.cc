// bench/log_steps: what a log at every step costs. A flor program run by
// record_replay (built beside it), in two modes:
//
//   log_steps --train-size 12000 --epochs 8 [--log-steps 0|1] [--flor NAME]
//       Fashion-MNIST training (188 steps an epoch at batch 64) with the
//       example's manual API, logging the loss at every step when
//       --log-steps=1; prints "epoch i/N ... (S s)" lines like the example.
//       Without --flor it is the plain program (each flor call a branch).
//   log_steps --tight N [--flor NAME]
//       N calls of flor::log in a batch loop (one epoch), no training:
//       prints "tight: N calls, C ns/call CPU, W ns/call wall" (the
//       training thread's CPU time and wall time, amortised: the batches of
//       rows it hands to the log writer's thread at every 4096 rows and at the
//       epoch's end included, their store writes on that thread not).
#include <flor/flor.h>

#include <time.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "fashion_mnist/data.h"
#include "fashion_mnist/model.h"

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

int tight(int64_t calls) {
  double x = 0.1;
  const auto t0 = Clock::now();
  const double cpu0 = thread_cpu_seconds();
  for (int64_t epoch : flor::loop("epoch", 0, 1)) {
    (void)epoch;
    for (int64_t i : flor::loop("batch", int64_t{0}, calls)) {
      x = flor::log("loss", x * 1.0000001 + static_cast<double>(i & 1) * 1e-9);
    }
  }  // the epoch's end flushes the last rows
  const double cpu = thread_cpu_seconds() - cpu0, wall = since(t0);
  std::printf("tight: %lld calls, %.1f ns/call CPU, %.1f ns/call wall (x=%g)\n",
              static_cast<long long>(calls), cpu / static_cast<double>(calls) * 1e9,
              wall / static_cast<double>(calls) * 1e9, x);
  return 0;
}

int train(int64_t epochs, int64_t train_size, bool log_steps) {
  fmnist::pin_threads(1);
  torch::manual_seed(0);
  auto data = fmnist::load(fmnist::Split::kTrain, train_size);
  auto test = fmnist::load(fmnist::Split::kTest, 1000);
  auto loader = torch::data::make_data_loader<torch::data::samplers::RandomSampler>(
      fmnist::TensorDataset(data), torch::data::DataLoaderOptions(64));
  fmnist::Mlp model;
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-3));
  flor::checkpoints(model, optimizer);
  for (int64_t epoch : flor::loop("epoch", 0, epochs)) {
    const auto t0 = Clock::now();
    double loss_sum = 0;
    int64_t steps = 0;
    for (auto& batch : flor::loop("batch", *loader, flor::locals(loss_sum, steps))) {
      optimizer.zero_grad();
      auto loss = torch::nn::functional::cross_entropy(model->forward(batch.data), batch.target);
      loss.backward();
      optimizer.step();
      const double l = loss.item<double>();
      if (log_steps) flor::log("loss", l);
      loss_sum += l;
      ++steps;
    }
    auto eval = fmnist::evaluate(model, test);
    flor::log("test_acc", eval.accuracy);
    std::printf("epoch %lld/%lld  loss %.4f  (%.3f s)\n", static_cast<long long>(epoch) + 1,
                static_cast<long long>(epochs), loss_sum / static_cast<double>(steps), since(t0));
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) try {
  flor::init(argc, argv);
  const int64_t calls = flor::arg("tight", int64_t{0});
  if (calls > 0) return tight(calls);
  return train(flor::arg("epochs", int64_t{8}), flor::arg("train-size", int64_t{12000}),
               flor::arg("log-steps", int64_t{1}) != 0);
} catch (const std::exception& e) {
  std::fprintf(stderr, "log_steps: %s\n", e.what());
  return 1;
}
