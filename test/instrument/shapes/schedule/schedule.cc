// Shape: state the epoch body carries from one epoch to the next, outside the
// batch loop: a learning-rate schedule (torch::optim::StepLR, stepped after the
// batch loop), the best test accuracy so far and an early-stopping counter, and an evaluation in a lambda.
// None of it is in a checkpoint (StepLR cannot be saved at all), so a replay
// segment that starts after epoch 0 must run the earlier epochs' bodies again
// to rebuild it. Fashion-MNIST subsets.
// Plain LibTorch; test/e2e/instrument_shape_schedule.sh builds it through flor-instrument.
#include <cstdio>

#include "fashion_mnist/data.h"

int main() {
  torch::manual_seed(11);
  const int64_t kEpochs = 3, kPatience = 2;
  auto loader = torch::data::make_data_loader<torch::data::samplers::RandomSampler>(
      fmnist::TensorDataset(fmnist::load(fmnist::Split::kTrain, 640)), torch::data::DataLoaderOptions(32));
  auto test_loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
      fmnist::TensorDataset(fmnist::load(fmnist::Split::kTest, 200)), torch::data::DataLoaderOptions(100));
  torch::nn::Sequential model(torch::nn::Flatten(), torch::nn::Linear(784, 48), torch::nn::ReLU(),
                              torch::nn::Linear(48, 10));
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  torch::optim::StepLR scheduler(optimizer, /*step_size=*/1, /*gamma=*/0.5);
  // Accuracy on the test set (no gradients, eval mode; train mode again after).
  auto evaluate = [&] {
    torch::NoGradGuard no_grad;
    model->eval();
    int64_t correct = 0, seen = 0;
    for (auto& batch : *test_loader) {
      correct += model->forward(batch.data).argmax(1).eq(batch.target).sum().item<int64_t>();
      seen += batch.target.size(0);
    }
    model->train();
    return static_cast<double>(correct) / static_cast<double>(seen);
  };
  double best_accuracy = 0.0;
  int64_t epochs_since_best = 0;

  for (int64_t epoch = 0; epoch < kEpochs; ++epoch) {
    double loss_sum = 0.0;
    for (auto& batch : *loader) {
      optimizer.zero_grad();
      auto loss = torch::nn::functional::cross_entropy(model->forward(batch.data), batch.target);
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>();
    }
    scheduler.step();
    double lr = static_cast<torch::optim::SGDOptions&>(optimizer.param_groups()[0].options()).lr();
    double accuracy = evaluate();
    if (accuracy > best_accuracy) {
      best_accuracy = accuracy;
      epochs_since_best = 0;
    } else {
      ++epochs_since_best;
    }
    std::printf("epoch %lld loss %.6f lr %.6f accuracy %.6f best %.6f\n", static_cast<long long>(epoch),
                loss_sum / 20, lr, accuracy, best_accuracy);
    std::fflush(stdout);
    if (epochs_since_best >= kPatience) break;
  }
  return 0;
}
