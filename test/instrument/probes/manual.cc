// Probe detection on manual-API code: both blocks gained logs, one through a callee.
#include <flor/flor.h>
#include <torch/torch.h>

void evaluate(torch::nn::Linear& net) {
  net->eval();
  flor::log("evaluated", 1);
}

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  flor::checkpoints(net, opt);
  for (int64_t epoch : flor::loop("epoch", 0, 3)) {
    for (auto& batch : flor::loop("batch", *loader)) {
      opt.step();
      flor::log("step", 1);
    }
    flor::block("eval", [&] { evaluate(net); });
  }
}
