// Probe detection on a manual-API step loop (a main loop without blocks): a
// log inside it probes the loop itself, by its name.
#include <flor/flor.h>
#include <torch/torch.h>

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  flor::checkpoints(net, opt);
  for (int64_t step : flor::loop("step", 0, 100)) {
    opt.step();
    flor::log("step_loss", 1.0);
  }
  flor::log("after", 1);
}
