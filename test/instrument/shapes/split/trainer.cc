// Shape: a trainer split over files (trainer.h declares it, main.cc runs it).
// This file has no main(): fit() is the one function here that nothing here
// calls, so its epoch loop is the main loop; train_epoch() and evaluate() are
// the blocks, and the members they change (model_, optimizer_, global_step_)
// the checkpoints. best_accuracy_ changes in the epoch body, after the blocks.
// A small CNN, Adam, data moved with .to(device_). Fashion-MNIST subsets.
// Plain LibTorch; test/e2e/instrument_shape_split.sh builds it through flor-instrument.
#include "trainer.h"

#include <algorithm>
#include <cstdio>

ConvNetImpl::ConvNetImpl()
    : conv(register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 8, 5).stride(2)))),
      fc(register_module("fc", torch::nn::Linear(8 * 12 * 12, 10))) {}

torch::Tensor ConvNetImpl::forward(torch::Tensor x) {
  return fc(torch::relu(conv(x)).flatten(1));
}

Trainer::Trainer(const TrainerOptions& options)
    : options_(options),
      device_(torch::cuda::is_available() ? torch::kCUDA : torch::kCPU),
      optimizer_(model_->parameters(), torch::optim::AdamOptions(options.learning_rate)),
      train_loader_(torch::data::make_data_loader<torch::data::samplers::RandomSampler>(
          fmnist::TensorDataset(fmnist::load(fmnist::Split::kTrain, 640)),
          torch::data::DataLoaderOptions(options.batch_size))),
      test_loader_(torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
          fmnist::TensorDataset(fmnist::load(fmnist::Split::kTest, 200)), torch::data::DataLoaderOptions(100))) {
  model_->to(device_);
}

double Trainer::fit() {
  for (int64_t epoch = 0; epoch < options_.epochs; ++epoch) {
    auto [loss, train_accuracy] = train_epoch();
    double accuracy = evaluate();
    best_accuracy_ = std::max(best_accuracy_, accuracy);
    std::printf("epoch %lld loss %.6f train_accuracy %.6f accuracy %.6f best_accuracy %.6f steps %lld\n",
                static_cast<long long>(epoch), loss, train_accuracy, accuracy, best_accuracy_,
                static_cast<long long>(global_step_));
    std::fflush(stdout);
  }
  return best_accuracy_;
}

std::pair<double, double> Trainer::train_epoch() {
  model_->train();
  double loss_sum = 0.0;
  int64_t batches = 0, correct = 0, seen = 0;
  for (auto& batch : *train_loader_) {
    auto data = batch.data.to(device_), target = batch.target.to(device_);
    optimizer_.zero_grad();
    auto logits = model_->forward(data);
    auto loss = torch::nn::functional::cross_entropy(logits, target);
    loss.backward();
    optimizer_.step();
    loss_sum += loss.item<double>();
    correct += logits.argmax(1).eq(target).sum().item<int64_t>();
    seen += target.size(0);
    ++batches;
    if (++global_step_ % options_.log_every == 0) {
      std::printf("  step %lld loss %.4f\n", static_cast<long long>(global_step_), loss.item<double>());
    }
  }
  return {loss_sum / static_cast<double>(batches), static_cast<double>(correct) / static_cast<double>(seen)};
}

double Trainer::evaluate() {
  torch::NoGradGuard no_grad;
  model_->eval();
  int64_t correct = 0, seen = 0;
  for (const auto& batch : *test_loader_) {
    auto target = batch.target.to(device_);
    correct += model_->forward(batch.data.to(device_)).argmax(1).eq(target).sum().item<int64_t>();
    seen += target.size(0);
  }
  return static_cast<double>(correct) / static_cast<double>(seen);
}
