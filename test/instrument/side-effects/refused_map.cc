// A block that fills a std::map mutates what flor cannot checkpoint:
// it is refused (always runs), with a diagnostic naming the variable.
#include <map>
#include <torch/torch.h>

void train(torch::nn::Linear& net, torch::optim::SGD& opt, std::map<int, double>& history) {
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (auto& batch : *loader) {
    opt.step();
    history[static_cast<int>(history.size())] = net(batch.data).item<double>();
  }
}

void evaluate(torch::nn::Linear& net) {
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (auto& batch : *loader) net->eval();
}

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  std::map<int, double> history;
  for (int epoch = 0; epoch < 3; ++epoch) {
    train(net, opt, history);
    evaluate(net);
  }
}
