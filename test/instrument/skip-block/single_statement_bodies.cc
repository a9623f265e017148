// Loop bodies without braces, at both levels.
#include <torch/torch.h>

torch::nn::Linear model(784, 10);

void train_epoch(torch::nn::Linear& net, torch::optim::SGD& opt) {
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (auto& batch : *loader) opt.step();
  net->train();
}

int main() {
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.1));
  for (int epoch = 0; epoch != 3; epoch += 1) train_epoch(model, optimizer);
}
