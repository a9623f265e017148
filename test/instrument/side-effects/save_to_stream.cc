// Negative control of periodic_save.cc: torch::save into a stream the program
// holds is output a skipped block would not write again: the block runs.
#include <sstream>
#include <torch/torch.h>

int main() {
  std::ostringstream buffer;
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (int epoch = 0; epoch < 3; ++epoch) {
    for (auto& batch : *loader) {
      opt.step();
      (void)net(batch.data);
      torch::save(net, buffer);
    }
  }
}
