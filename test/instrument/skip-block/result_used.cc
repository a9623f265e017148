// A training call whose result is used cannot be skipped: it always runs.
#include <cstdio>
#include <torch/torch.h>

double train(torch::nn::Linear& net, torch::optim::SGD& opt) {
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  double total = 0;
  for (auto& batch : *loader) {
    opt.step();
    total += net(batch.data).item<double>();
  }
  return total;
}

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  for (int epoch = 0; epoch < 3; ++epoch) {
    double loss = train(net, opt);
    std::printf("%f\n", loss);
  }
}
