// `// flor: skip` leaves a block (or the main loop) alone.
#include <torch/torch.h>

void train(torch::nn::Linear& net, torch::optim::SGD& opt) {
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (auto& batch : *loader) opt.step();
  net->train();
}

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  for (int epoch = 0; epoch < 3; ++epoch) {
    train(net, opt);
    // flor: skip
    train(net, opt);
  }
}
