// Built through the launcher in run_launcher.sh: a compile error inside the
// instrumented main loop must be reported at this file's own line (11).
#include "helper.h"
#include <torch/torch.h>

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (int epoch = 0; epoch < kEpochs; ++epoch) {
    int oops = "not an int";
    for (auto& batch : *loader) opt.step();
  }
}
