// Shape: training in a class, as larger programs are written. A Trainer holds
// the options, the model, the optimizer, the data loaders and a global step
// counter as data members; fit() runs the epochs, and train_epoch() and
// evaluate() (loops over the loaders) are methods whose results fit() uses:
// `auto [loss, train_accuracy] = train_epoch();`. Fashion-MNIST subsets.
// Plain LibTorch; test/e2e/instrument_shape_trainer.sh builds it through flor-instrument.
#include <cstdio>
#include <memory>
#include <utility>

#include "fashion_mnist/data.h"

struct TrainerOptions {
  int64_t epochs = 3;
  double learning_rate = 0.05;
  int64_t batch_size = 32;
  int64_t log_every = 8;
};

class Trainer {
 public:
  explicit Trainer(const TrainerOptions& options)
      : options_(options),
        model_(torch::nn::Flatten(), torch::nn::Linear(784, 40), torch::nn::ReLU(),
               torch::nn::Linear(40, 10)),
        optimizer_(model_->parameters(), torch::optim::SGDOptions(options.learning_rate).momentum(0.9)),
        train_loader_(torch::data::make_data_loader<torch::data::samplers::RandomSampler>(
            fmnist::TensorDataset(fmnist::load(fmnist::Split::kTrain, 640)),
            torch::data::DataLoaderOptions(options.batch_size))),
        test_loader_(torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
            fmnist::TensorDataset(fmnist::load(fmnist::Split::kTest, 200)),
            torch::data::DataLoaderOptions(100))) {}

  void fit() {
    for (int64_t epoch = 0; epoch < options_.epochs; ++epoch) {
      auto [loss, train_accuracy] = train_epoch();
      double accuracy = evaluate();
      std::printf("epoch %lld loss %.6f train_accuracy %.6f accuracy %.6f steps %lld\n",
                  static_cast<long long>(epoch), loss, train_accuracy, accuracy,
                  static_cast<long long>(global_step_));
      std::fflush(stdout);
    }
  }

 private:
  // One pass over the training data; the mean loss and the accuracy.
  std::pair<double, double> train_epoch() {
    model_->train();
    double loss_sum = 0.0;
    int64_t batches = 0, correct = 0, seen = 0;
    for (auto& batch : *train_loader_) {
      optimizer_.zero_grad();
      auto logits = model_->forward(batch.data);
      auto loss = torch::nn::functional::cross_entropy(logits, batch.target);
      loss.backward();
      optimizer_.step();
      loss_sum += loss.item<double>();
      correct += logits.argmax(1).eq(batch.target).sum().item<int64_t>();
      seen += batch.target.size(0);
      ++batches;
      if (++global_step_ % options_.log_every == 0) {
        std::printf("  step %lld loss %.4f\n", static_cast<long long>(global_step_), loss.item<double>());
      }
    }
    return {loss_sum / static_cast<double>(batches),
            static_cast<double>(correct) / static_cast<double>(seen)};
  }

  // Accuracy on the test set.
  double evaluate() {
    torch::NoGradGuard no_grad;
    model_->eval();
    int64_t correct = 0, seen = 0;
    for (const auto& batch : *test_loader_) {
      correct += model_->forward(batch.data).argmax(1).eq(batch.target).sum().item<int64_t>();
      seen += batch.target.size(0);
    }
    return static_cast<double>(correct) / static_cast<double>(seen);
  }

  TrainerOptions options_;
  torch::nn::Sequential model_;
  torch::optim::SGD optimizer_;
  std::unique_ptr<
      torch::data::StatelessDataLoader<fmnist::TensorDataset, torch::data::samplers::RandomSampler>>
      train_loader_;
  std::unique_ptr<
      torch::data::StatelessDataLoader<fmnist::TensorDataset, torch::data::samplers::SequentialSampler>>
      test_loader_;
  int64_t global_step_ = 0;
};

int main() {
  torch::manual_seed(13);
  TrainerOptions options;
  Trainer trainer(options);
  trainer.fit();
  return 0;
}
