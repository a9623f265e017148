// Fashion-MNIST with a step loop, written with flor's manual API: no epochs and
// no data loader; every step trains on a batch drawn at random from a small
// training subset, the shape of most modern training code. The loop is
// flor's main loop, its steps are the epochs; it has no skip block, so flor
// keeps its books per period and checkpoints at period ends (docs/replay.md).
//
//   train_steps --steps 400                      # plain run: nothing recorded
//   flor run steps -- ./train_steps --steps 400  # record
//
// Built twice more, as its author would after the fact: with
// STEPS_HINDSIGHT_IN (a log statement inside the loop: the loop must run) and
// with STEPS_HINDSIGHT_AFTER (one after it: replay skips the loop). With
// STEPS_UNBOUNDED the loop is the unbounded form that breaks at --steps.
#include <flor/flor.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "fashion_mnist/data.h"
#include "fashion_mnist/model.h"

namespace {

struct NetImpl : torch::nn::Module {
  NetImpl()
      : fc1(register_module("fc1", torch::nn::Linear(784, 64))),
        drop(register_module("drop", torch::nn::Dropout(0.1))),
        fc2(register_module("fc2", torch::nn::Linear(64, 10))) {}
  torch::Tensor forward(const torch::Tensor& x) { return fc2(drop(torch::relu(fc1(x.view({x.size(0), 784}))))); }
  torch::nn::Linear fc1;
  torch::nn::Dropout drop;
  torch::nn::Linear fc2;
};
TORCH_MODULE(Net);

double accuracy(Net& model, const fmnist::Data& data) {
  torch::NoGradGuard no_grad;
  model->eval();
  auto predicted = model->forward(data.images).argmax(1);
  model->train();
  return predicted.eq(data.labels).to(torch::kDouble).mean().item<double>();
}

#if defined(STEPS_HINDSIGHT_IN) || defined(STEPS_HINDSIGHT_AFTER)
double norm(const std::vector<torch::Tensor>& ts, bool grads) {
  double sum = 0;
  for (const auto& t : ts) {
    const auto& x = grads ? t.grad() : t;
    if (x.defined()) sum += x.pow(2).sum().item<double>();
  }
  return std::sqrt(sum);
}
#endif

}  // namespace

int main(int argc, char** argv) try {
  flor::init(argc, argv);
  const int64_t steps = flor::arg("steps", int64_t{400});
  const int64_t batch_size = flor::arg("batch-size", int64_t{32});
  const double lr = flor::arg("lr", 1e-3);
  const int64_t seed = flor::arg("seed", int64_t{0});
  const int64_t train_size = flor::arg("train-size", int64_t{2000});
  const int64_t test_size = flor::arg("test-size", int64_t{500});
  const int64_t print_every = flor::arg("print-every", int64_t{50});
  fmnist::pin_threads(flor::arg("threads", 1));
  torch::manual_seed(seed);

  const auto train = fmnist::load(fmnist::Split::kTrain, train_size);
  const auto test = fmnist::load(fmnist::Split::kTest, test_size);
  Net model;
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(lr));
  flor::checkpoints(model, optimizer);

  const auto start = std::chrono::steady_clock::now();
#ifdef STEPS_UNBOUNDED
  for (int64_t step : flor::loop("step")) {  // the `while (true) { ...; if (done) break; }` form
    if (step == steps) break;
#else
  for (int64_t step : flor::loop("step", 0, steps)) {
#endif
    auto idx = torch::randint(train.size(), {batch_size}, torch::kLong);
    optimizer.zero_grad();
    auto loss = torch::nn::functional::cross_entropy(model->forward(train.images.index_select(0, idx)),
                                                     train.labels.index_select(0, idx));
    loss.backward();
#ifdef STEPS_HINDSIGHT_IN
    const double grad_norm = norm(model->parameters(), /*grads=*/true);
    flor::log("grad_norm", grad_norm);
#endif
    optimizer.step();
    const double loss_value = loss.item<double>();
    flor::log("loss", loss_value);
    if ((step + 1) % print_every == 0) {
      std::printf("step %lld/%lld  loss %.17g", static_cast<long long>(step) + 1,
                  static_cast<long long>(steps), loss_value);
#ifdef STEPS_HINDSIGHT_IN
      std::printf("  grad_norm %.17g", grad_norm);
#endif
      std::printf("\n");
      std::fflush(stdout);
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("loop: %lld steps (%.4f s)\n", static_cast<long long>(steps), secs);
  const double test_acc = accuracy(model, test);
  flor::log("test_acc", test_acc);
  std::printf("test_acc %.17g\n", test_acc);
#ifdef STEPS_HINDSIGHT_AFTER
  const double weight_norm = norm(model->parameters(), /*grads=*/false);
  flor::log("weight_norm", weight_norm);
  std::printf("weight_norm %.17g\n", weight_norm);
#endif
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "train_steps: %s\n", e.what());
  return 1;
}
