// Shape: a step loop, the shape of most modern training code. No nested loop:
// each iteration draws a batch of indices, takes one optimizer step, and every
// 100 steps prints the mean loss of those steps. Sub-millisecond steps on a
// Fashion-MNIST subset; a test accuracy after the loop.
// Plain LibTorch; test/e2e/instrument_shape_steps.sh builds it through flor-instrument.
#include <cstdio>

#include "fashion_mnist/data.h"

int main() {
  torch::manual_seed(11);
  const int64_t kSteps = 600, kBatch = 32, kPrintEvery = 100;
  auto train_data = fmnist::load(fmnist::Split::kTrain, 2000);
  auto test_data = fmnist::load(fmnist::Split::kTest, 500);
  auto images = train_data.images.view({train_data.size(), 784});
  torch::nn::Sequential model(torch::nn::Linear(784, 32), torch::nn::ReLU(), torch::nn::Linear(32, 10));
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
  double running = 0;
  for (int64_t step = 0; step < kSteps; ++step) {
    auto index = torch::randint(train_data.size(), {kBatch}, torch::kLong);
    optimizer.zero_grad();
    auto loss = torch::nn::functional::cross_entropy(model->forward(images.index_select(0, index)),
                                                     train_data.labels.index_select(0, index));
    loss.backward();
    optimizer.step();
    running += loss.item<double>();
    if ((step + 1) % kPrintEvery == 0) {
      std::printf("step %lld loss %.6f\n", static_cast<long long>(step), running / kPrintEvery);
      running = 0;
    }
  }
  torch::NoGradGuard no_grad;
  auto predicted = model->forward(test_data.images.view({test_data.size(), 784})).argmax(1);
  double test_acc = predicted.eq(test_data.labels).to(torch::kDouble).mean().item<double>();
  std::printf("test_acc %.6f\n", test_acc);
  return 0;
}
