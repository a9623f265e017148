// Per-epoch accumulators in the epoch body, and a test section after the
// loop that declares the same names again: scope, not spelling, decides
// what a name is. The accumulators are the batch loop's locals.
#include <cstdio>
#include <torch/torch.h>

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  auto test_loader = torch::data::make_data_loader(torch::data::datasets::MNIST("test"), 64);
  for (int epoch = 0; epoch < 3; ++epoch) {
    double running_loss = 0.0;
    size_t num_correct = 0;
    for (auto& batch : *loader) {
      opt.zero_grad();
      auto output = net(batch.data);
      auto loss = torch::nll_loss(output, batch.target);
      loss.backward();
      opt.step();
      running_loss += loss.item<double>();
      num_correct += output.argmax(1).eq(batch.target).sum().item<int64_t>();
    }
    std::printf("epoch %d loss %f correct %zu\n", epoch, running_loss, num_correct);
  }
  double running_loss = 0.0;
  size_t num_correct = 0;
  for (auto& batch : *test_loader) {
    auto output = net(batch.data);
    running_loss += torch::nll_loss(output, batch.target).item<double>();
    num_correct += output.argmax(1).eq(batch.target).sum().item<int64_t>();
  }
  std::printf("test loss %f correct %zu\n", running_loss, num_correct);
}
