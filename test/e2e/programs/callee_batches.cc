// A manual-API training program for the e2e tests: its batch loop is a plain
// `for` inside a called function (only flor::block around the call knows it),
// logging the loss of every batch, as instrumented multi-file programs are.
//   callee_batches --epochs 3                 # 3 epochs of 4 batches
//   callee_batches --epochs 4 --abort-after 1 # std::abort() once epoch 1 ended (exit 134)
//   callee_batches --count-calls              # also logs `calls`, a counter the block updates but
//                                             # nobody registers: a replay that skips the block diverges
//   callee_batches --schedule                 # also a StepLR (halving the rate each epoch) stepped after
//                                             # the block, its rate logged (`lr`), named with
//                                             # flor::carried_state unless FLOR_TEST_UNNAMED=1 (an
//                                             # older version of the program)
//   callee_batches --nested                   # the block's function is instrumented as a main loop
//                                             # of its own would be (a file without main): it
//                                             # registers a local with flor::checkpoints and runs
//                                             # its batches in a flor::loop
//   callee_batches --gate DIR                 # epoch N >= 1 starts once the file DIR/N exists (tests
//                                             # of what others see while a run is under way)
// With FLOR_TEST_HINDSIGHT=1 in its environment it also logs `weight_norm`, as
// if a log statement had been added and the program rebuilt.
#include <flor/flor.h>
#include <torch/torch.h>

#include <cstdio>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using Batches = std::vector<std::pair<torch::Tensor, torch::Tensor>>;

void train_epoch(torch::nn::Linear& model, torch::optim::SGD& optimizer, const Batches& batches,
                 double& loss_sum) {
  for (const auto& [x, y] : batches) {
    optimizer.zero_grad();
    torch::Tensor loss = torch::mse_loss(model->forward(x), y);
    loss.backward();
    optimizer.step();
    flor::log("batch_loss", loss.item<double>());
    loss_sum += loss.item<double>();
  }
}

// train_epoch as flor-instrument edits it in a file of its own, where its
// batch loop is the file's main loop: inside the real main loop's block the
// runtime ignores its registration (a warning) and its loop only counts steps.
void train_epoch_instrumented(torch::nn::Linear& model, torch::optim::SGD& optimizer, const Batches& batches,
                              double& loss_sum) {
  torch::Tensor seen = torch::zeros({1});
  flor::checkpoints(seen);
  for (int64_t b : flor::loop("batch", 0, static_cast<int64_t>(batches.size()))) {
    const auto& [x, y] = batches[b];
    optimizer.zero_grad();
    torch::Tensor loss = torch::mse_loss(model->forward(x), y);
    loss.backward();
    optimizer.step();
    seen += 1;
    flor::log("batch_loss", loss.item<double>());
    loss_sum += loss.item<double>();
  }
}

}  // namespace

int main(int argc, char** argv) {
  flor::init(argc, argv);
  const int64_t epochs = flor::arg("epochs", int64_t{3});
  const int64_t abort_after = flor::arg("abort-after", int64_t{-1});
  const bool final_log = flor::arg("final-log", false);  // a log after the main loop
  const bool count_calls = flor::arg("count-calls", false);
  const bool schedule = flor::arg("schedule", false);
  const std::string gate = flor::arg("gate", "");
  const bool nested = flor::arg("nested", false);
  const bool hindsight = std::getenv("FLOR_TEST_HINDSIGHT") != nullptr;
  int64_t calls = 0;  // not registered: a skipped block leaves it as it was
  torch::manual_seed(0);
  torch::nn::Linear model(4, 1);
  torch::optim::SGD optimizer(model->parameters(), 0.05);
  flor::checkpoints(model, optimizer);
  torch::optim::StepLR scheduler(optimizer, /*step_size=*/1, /*gamma=*/0.5);
  if (schedule && std::getenv("FLOR_TEST_UNNAMED") == nullptr) flor::carried_state({"scheduler"});
  torch::Tensor x = torch::randn({32, 4});
  torch::Tensor y = x.sum(1, /*keepdim=*/true);
  Batches batches;
  for (int64_t b = 0; b < 4; ++b) batches.emplace_back(x.narrow(0, b * 8, 8), y.narrow(0, b * 8, 8));

  for (int64_t epoch : flor::loop("epoch", 0, epochs)) {
    if (abort_after >= 0 && epoch == abort_after + 1) std::abort();  // a crash right after epoch abort_after
    while (!gate.empty() && epoch > 0 && !std::filesystem::exists(gate + "/" + std::to_string(epoch))) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    double loss_sum = 0;
    flor::block("train_epoch", [&] {
      if (nested) {
        train_epoch_instrumented(model, optimizer, batches, loss_sum);
      } else {
        train_epoch(model, optimizer, batches, loss_sum);
      }
      ++calls;
    });
    if (schedule) {
      scheduler.step();
      flor::log("lr", static_cast<torch::optim::SGDOptions&>(optimizer.param_groups()[0].options()).lr());
    }
    flor::log("weight_sum", model->weight.sum().item<double>());
    if (count_calls) flor::log("calls", calls);
    if (hindsight) flor::log("weight_norm", model->weight.norm().item<double>());
    std::printf("epoch %lld weight_sum %.6f\n", static_cast<long long>(epoch),
                model->weight.sum().item<double>());
    std::fflush(stdout);
  }
  if (final_log) flor::log("final_weight_sum", model->weight.sum().item<double>());
  return 0;
}
