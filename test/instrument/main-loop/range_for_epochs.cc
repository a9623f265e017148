// A range-for over a container of epochs, in a function main calls.
#include <vector>
#include <torch/torch.h>

void fit(torch::nn::Linear net, std::vector<int> schedule) {
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (int epoch : schedule) {
    for (auto& batch : *loader) {
      opt.zero_grad();
      net(batch.data).backward();
      opt.step();
    }
  }
}

int main() {
  torch::nn::Linear net(784, 10);
  fit(net, {1, 2, 3});
}
