// Shape: loop bodies that are single statements, without braces: the epoch
// loop's body is one call, the batch loop's body one statement, and so is an
// `if` in between. Plain LibTorch; test/e2e/instrument_shape_single_stmt.sh builds it
// through flor-instrument.
#include <cstdio>

#include "fashion_mnist/data.h"

double train_step(torch::nn::Linear& model, torch::optim::SGD& optimizer, torch::data::Example<>& batch) {
  optimizer.zero_grad();
  auto loss = torch::nn::functional::cross_entropy(model(batch.data.view({batch.data.size(0), 784})), batch.target);
  loss.backward();
  optimizer.step();
  return loss.item<double>();
}

template <typename Loader>
void train_epoch(torch::nn::Linear& model, torch::optim::SGD& optimizer, Loader& loader, int64_t epoch) {
  double loss_sum = 0;
  for (auto& batch : loader) loss_sum += train_step(model, optimizer, batch);
  if (epoch == 1) optimizer.param_groups()[0].options().set_lr(0.05);
  std::printf("epoch %lld loss %.6f w_norm %.6f\n", static_cast<long long>(epoch), loss_sum / 20,
              model->weight.norm().item<double>());
  std::fflush(stdout);
}

int main() {
  torch::manual_seed(11);
  auto data = fmnist::load(fmnist::Split::kTrain, 1000);
  auto loader = torch::data::make_data_loader<torch::data::samplers::RandomSampler>(
      fmnist::TensorDataset(data), torch::data::DataLoaderOptions(50));
  torch::nn::Linear model(784, 10);
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.1));
  for (int64_t epoch = 0; epoch != 3; epoch += 1) train_epoch(model, optimizer, *loader, epoch);
  return 0;
}
