// Probe detection on manual-API code: the recorded version.
#include <flor/flor.h>
#include <torch/torch.h>

void evaluate(torch::nn::Linear& net) { net->eval(); }

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  flor::checkpoints(net, opt);
  for (int64_t epoch : flor::loop("epoch", 0, 3)) {
    for (auto& batch : flor::loop("batch", *loader)) opt.step();
    flor::block("eval", [&] { evaluate(net); });
  }
}
