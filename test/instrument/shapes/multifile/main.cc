// Shape: a program split over several files. The model is in a header
// (model.h), the batch loop in another translation unit (train.cc); main.cc
// holds the epoch loop and sees train_epoch() only as a declaration.
// Plain LibTorch; test/e2e/instrument_shapes.sh builds it through flor-instrument.
#include <cstdio>

#include "train.h"

int main() {
  torch::manual_seed(5);
  auto train_data = fmnist::load(fmnist::Split::kTrain, 1200);
  auto test_data = fmnist::load(fmnist::Split::kTest, 300);
  auto loader = torch::data::make_data_loader<torch::data::samplers::RandomSampler>(
      fmnist::TensorDataset(train_data), torch::data::DataLoaderOptions(40));
  Mlp model;
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.02).momentum(0.9));
  for (int64_t epoch = 0; epoch < 3; ++epoch) {
    double loss_sum = 0;
    train_epoch(model, *loader, optimizer, loss_sum);
    double accuracy = evaluate(model, test_data);
    std::printf("epoch %lld loss %.6f accuracy %.6f\n", static_cast<long long>(epoch), loss_sum / 30, accuracy);
    std::fflush(stdout);
  }
  return 0;
}
