// Shape: the batch loop is written through a macro. flor-instrument cannot
// edit inside a macro expansion: it diagnoses the loop ([flor-macro]) and
// leaves it running as written; the epoch loop is still instrumented.
// Plain LibTorch; test/e2e/instrument_shape_macro.sh builds it through flor-instrument.
#include <cstdio>

#include "fashion_mnist/data.h"

#define FOR_EACH_BATCH(batch, loader) for (auto& batch : *(loader))

int main() {
  torch::manual_seed(13);
  auto data = fmnist::load(fmnist::Split::kTrain, 1000);
  auto loader = torch::data::make_data_loader<torch::data::samplers::RandomSampler>(
      fmnist::TensorDataset(data), torch::data::DataLoaderOptions(50));
  torch::nn::Linear model(784, 10);
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-3));
  for (int64_t epoch = 0; epoch < 3; ++epoch) {
    double loss_sum = 0;
    FOR_EACH_BATCH(batch, loader) {
      optimizer.zero_grad();
      auto loss = torch::nn::functional::cross_entropy(model(batch.data.view({batch.data.size(0), 784})),
                                                       batch.target);
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>();
    }
    std::printf("epoch %lld loss %.6f w_norm %.6f\n", static_cast<long long>(epoch), loss_sum / 20,
                model->weight.norm().item<double>());
    std::fflush(stdout);
  }
  return 0;
}
