// Training in a class: the main loop is in a method (fit), and the batch loop
// in another (train_epoch, called on this) changes data members. They are
// the side-effect set, named as fit() sees them: the model, the optimizer,
// the step counter, and a static member as the variable it is (not the
// loader member, an input; not the options, only read). The best loss,
// changed by fit() itself, is carried state.
#include <cstdio>
#include <memory>
#include <torch/torch.h>

struct Options {
  int epochs = 5;
  int log_every = 10;
};

class Trainer {
 public:
  explicit Trainer(Options options)
      : options_(options),
        optimizer_(model_->parameters(), torch::optim::SGDOptions(0.1)),
        loader_(torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64)) {}

  void fit() {
    for (int epoch = 0; epoch < options_.epochs; ++epoch) {
      double loss = train_epoch();
      if (loss < best_loss_) best_loss_ = loss;
      report(epoch, loss);
    }
  }

 private:
  double train_epoch() {
    double sum = 0;
    for (auto& batch : *loader_) {
      optimizer_.zero_grad();
      auto loss = model_(batch.data);
      loss.backward();
      step();
      sum += loss.item<double>();
    }
    ++passes_;
    return sum;
  }

  void step() {
    optimizer_.step();
    if (++steps_ % options_.log_every == 0) std::printf("step %ld\n", steps_);
  }

  void report(int epoch, double loss) const { std::printf("epoch %d loss %f best %f\n", epoch, loss, best_loss_); }

  Options options_;
  torch::nn::Linear model_{784, 10};
  torch::optim::SGD optimizer_;
  std::unique_ptr<torch::data::StatelessDataLoader<torch::data::Example<>>> loader_;
  long steps_ = 0;
  double best_loss_ = 1e9;
  static inline int passes_ = 0;
};

int main() {
  Trainer trainer(Options{});
  trainer.fit();
}
