// Negative control of to_device.cc: forwarding is not a mutation only for
// small values. A named std::vector forwarded to a function flor cannot see
// (`keep(T&&)` is only declared) may be changed by it: it stays in the set.
#include <torch/torch.h>
#include <vector>

template <typename T>
void keep(T&& value);

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  std::vector<double> history;
  for (int epoch = 0; epoch < 3; ++epoch) {
    for (auto& batch : *loader) {
      opt.step();
      keep(history);
    }
  }
}
