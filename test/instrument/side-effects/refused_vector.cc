// A block that appends to a std::vector mutates what flor cannot checkpoint:
// it is refused (always runs), with a diagnostic naming the variable.
#include <vector>
#include <torch/torch.h>

void train(torch::nn::Linear& net, torch::optim::SGD& opt, std::vector<double>& history) {
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (auto& batch : *loader) {
    opt.step();
    history.push_back(net(batch.data).item<double>());
  }
}

void evaluate(torch::nn::Linear& net) {
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (auto& batch : *loader) net->eval();
}

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  std::vector<double> history;
  for (int epoch = 0; epoch < 3; ++epoch) {
    train(net, opt, history);
    evaluate(net);
  }
}
