// Probe detection on C++17 code, run without -std= (CMake leaves it out when
// g++'s default already is C++17): the recorded version.
#include <flor/flor.h>
#include <torch/torch.h>

#include <optional>

template <typename Loader>
void train(torch::nn::Linear& net, Loader& loader, torch::optim::SGD& opt) {
  std::optional<double> last;
  for (auto& batch : loader) {
    opt.step();
    if (last) net->eval();
    last = 1.0;
  }
}

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (int epoch = 0; epoch < 3; ++epoch) train(net, *loader, opt);
}
