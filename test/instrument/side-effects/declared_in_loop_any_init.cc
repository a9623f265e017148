// A running total declared inside the epoch loop with a non-constant initializer,
// updated by the batch loop and read after it: whatever its initializer, it is
// the block's own state (flor::locals), captured and restored with the block.
#include <cstdio>
#include <torch/torch.h>

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (int epoch = 0; epoch < 3; ++epoch) {
    double running = static_cast<double>(epoch);
    for (auto& batch : *loader) {
      opt.step();
      running += net(batch.data).item<double>();
    }
    std::printf("%f\n", running);
  }
}
