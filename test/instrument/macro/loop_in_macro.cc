// Loops inside macros are diagnosed, not edited.
#include <torch/torch.h>

#define FOR_EACH_BATCH(loader) for (auto& batch : *loader)

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (int epoch = 0; epoch < 3; ++epoch) {
    FOR_EACH_BATCH(loader) { opt.step(); }
  }
}
