// Probe detection on plain code: train() gained a log in its batch loop (a
// second "loss" at another place counts too); test() is unchanged; a log in
// the main loop body outside any block probes nothing.
#include <flor/flor.h>
#include <torch/torch.h>

template <typename Loader>
void train(torch::nn::Linear& net, Loader& loader, torch::optim::SGD& opt) {
  for (auto& batch : loader) {
    opt.step();
    flor::log("loss", net(torch::Tensor()).item<double>());
    flor::log("loss", 0.0);
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
    flor::log("epoch_done", epoch);
  }
}
