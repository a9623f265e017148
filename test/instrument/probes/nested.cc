// Probe detection on manual-API code with a loop nested in a block (and
// locals): a log in the loop nested in block 'batch' probes 'batch', the
// runtime's block ('micro' only counts steps).
#include <flor/flor.h>
#include <torch/torch.h>

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  flor::checkpoints(net, opt);
  for (int64_t epoch : flor::loop("epoch", 0, 3)) {
    double sum = 0;
    for (auto& batch : flor::loop("batch", *loader, flor::locals(sum))) {
      for (int64_t micro : flor::loop("micro", 0, 2)) {
        opt.step();
        sum += micro;
        flor::log("micro_sum", sum);
      }
    }
  }
}
