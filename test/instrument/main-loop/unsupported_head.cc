// An epoch loop that steps by 2 is not rewritten: the file is left alone.
#include <torch/torch.h>

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (int epoch = 0; epoch < 10; epoch += 2) {
    for (auto& batch : *loader) opt.step();
  }
}
