// A trainer class as larger programs declare it, in its own header: the
// methods are defined in no_main_*.cc, main() in a file the tool never sees.
#pragma once
#include <cstdio>
#include <memory>
#include <torch/torch.h>

struct TrainerOptions {
  int epochs = 5;
  int accumulate = 4;
};

class Trainer {
 public:
  explicit Trainer(TrainerOptions options);
  void fit();
  void pretrain();
  double train_epoch();
  double evaluate();

 private:
  TrainerOptions options_;
  torch::nn::Linear model_{784, 10};
  torch::optim::SGD optimizer_;
  std::unique_ptr<torch::data::StatelessDataLoader<torch::data::Example<>>> loader_;
  long steps_ = 0;
};
