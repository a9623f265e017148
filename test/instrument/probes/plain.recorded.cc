// Probe detection on plain code: the recorded version.
#include <flor/flor.h>
#include <torch/torch.h>

template <typename Loader>
void train(torch::nn::Linear& net, Loader& loader, torch::optim::SGD& opt) {
  for (auto& batch : loader) {
    opt.step();
    flor::log("loss", net(torch::Tensor()).item<double>());
  }
}

template <typename Loader>
void test(torch::nn::Linear& net, Loader& loader) {
  for (auto& batch : loader) net->eval();
}

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (int epoch = 0; epoch < 3; ++epoch) {
    train(net, *loader, opt);
    test(net, *loader);
  }
}
