// A reference declared in the epoch body stands for what it refers to: the
// block changes `weights` (through `w`) although `w` itself is not read
// after the block. `weights` is state.
#include <torch/torch.h>
#include <vector>

int main() {
  std::vector<torch::Tensor> weights{torch::zeros({10}), torch::zeros({10})};
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (int epoch = 0; epoch < 3; ++epoch) {
    torch::Tensor& w = weights[epoch % 2];
    for (auto& batch : *loader) {
      opt.step();
      w = net(batch.data);
    }
  }
}
