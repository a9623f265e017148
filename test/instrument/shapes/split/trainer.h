// The trainer's interface, as a larger program declares it in a header: the
// options, and a class whose data members are the model, the optimizer, the
// device, the loaders, the best accuracy so far and a global step counter.
#pragma once
#include <memory>
#include <utility>

#include "fashion_mnist/data.h"

struct TrainerOptions {
  int64_t epochs = 3;
  double learning_rate = 1e-3;
  int64_t batch_size = 32;
  int64_t log_every = 10;
};

struct ConvNetImpl : torch::nn::Module {
  ConvNetImpl();
  torch::Tensor forward(torch::Tensor x);

  torch::nn::Conv2d conv{nullptr};
  torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(ConvNet);

class Trainer {
 public:
  explicit Trainer(const TrainerOptions& options);
  // Trains for options.epochs, printing one line per epoch; the best accuracy.
  double fit();

 private:
  std::pair<double, double> train_epoch();  // mean loss, accuracy
  double evaluate();                        // test accuracy

  using TrainLoader =
      torch::data::StatelessDataLoader<fmnist::TensorDataset, torch::data::samplers::RandomSampler>;
  using TestLoader =
      torch::data::StatelessDataLoader<fmnist::TensorDataset, torch::data::samplers::SequentialSampler>;

  TrainerOptions options_;
  torch::Device device_;
  ConvNet model_;
  torch::optim::Adam optimizer_;
  std::unique_ptr<TrainLoader> train_loader_;
  std::unique_ptr<TestLoader> test_loader_;
  double best_accuracy_ = 0.0;
  int64_t global_step_ = 0;
};
