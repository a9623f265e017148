// A while loop to convergence with break.
#include <torch/torch.h>

void train(torch::nn::Linear& net, torch::optim::Adam& opt, double& loss) {
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (auto& batch : *loader) {
    opt.step();
    loss = net(batch.data).item<double>();
  }
}

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-3));
  double loss = 1e9;
  double previous = 2e9;
  int rounds = 0;
  while (previous - loss > 1e-4) {
    previous = loss;
    train(net, opt, loss);
    if (++rounds > 100) break;
  }
}
