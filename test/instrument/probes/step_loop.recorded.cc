// Probe detection on a manual-API step loop: the recorded version.
#include <flor/flor.h>
#include <torch/torch.h>

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  flor::checkpoints(net, opt);
  for (int64_t step : flor::loop("step", 0, 100)) {
    opt.step();
  }
  flor::log("after", 1);
}
