// Code that already uses the manual API is left as it is.
#include <flor/flor.h>
#include <torch/torch.h>

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  flor::checkpoints(net, opt);
  for (int64_t epoch : flor::loop("epoch", 0, 3)) {
    for (auto& batch : flor::loop("batch", *loader)) opt.step();
  }
}
