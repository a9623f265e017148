// Training in a class whose batch loop calls a method defined out of sight
// (another file) on `this`: it may change any member, so the block runs.
// A method of another object changes that object: a member of `this` that
// holds it (`meter_`) is in the set, whatever the method's body.
#include <torch/torch.h>

class Meter {
 public:
  void add(double value) { sum_ += value; }
  double sum_ = 0;
};

class Trainer {
 public:
  Trainer() : optimizer_(model_->parameters(), torch::optim::SGDOptions(0.1)) {}

  void fit() {
    for (int epoch = 0; epoch < 3; ++epoch) train_epoch();
  }

 private:
  void train_epoch() {
    auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
    for (auto& batch : *loader) {
      auto loss = model_(batch.data);
      loss.backward();
      optimizer_.step();
      meter_.add(loss.item<double>());
      after_step();
    }
  }
  void after_step();  // defined in another file

  torch::nn::Linear model_{784, 10};
  torch::optim::SGD optimizer_;
  Meter meter_;
};

int main() {
  Trainer trainer;
  trainer.fit();
}
