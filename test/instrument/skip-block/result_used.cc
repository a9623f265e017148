// Training calls whose results are used: the call alone is the block, its
// result returned through flor::block and kept with its checkpoint (a
// declaration's initializer; an if's condition, init-statement or condition
// variable); an expression statement (`total += train(...)`) is wrapped
// whole. A result flor cannot keep (a struct, a reference) or a statement
// with two training calls always runs.
#include <cstdio>
#include <torch/torch.h>

struct Stats {
  double loss = 0;
  long seen = 0;
};

double train(torch::nn::Linear& net, torch::optim::SGD& opt) {
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  double total = 0;
  for (auto& batch : *loader) {
    opt.step();
    total += net(batch.data).item<double>();
  }
  return total;
}

Stats train_stats(torch::nn::Linear& net, torch::optim::SGD& opt) { return {train(net, opt), 1}; }

double& train_into(double& out, torch::nn::Linear& net, torch::optim::SGD& opt) {
  out = train(net, opt);
  return out;
}

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  double kept = 0;
  for (int epoch = 0; epoch < 3; ++epoch) {
    double loss = train(net, opt);
    std::printf("%f\n", loss);
    if (train(net, opt) > 1.0) std::printf("large\n");
    if (double again = train(net, opt); again > 2.0) std::printf("again\n");
    if (double rest = train(net, opt)) std::printf("%f\n", rest);
    double total = 0;
    total += train(net, opt);
    std::printf("%f\n", total);
    Stats stats = train_stats(net, opt);
    std::printf("%f\n", stats.loss);
    double& into = train_into(kept, net, opt);
    std::printf("%f\n", into);
    double both = train(net, opt) + train(net, opt);
    std::printf("%f\n", both);
  }
}
