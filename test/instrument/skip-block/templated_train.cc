// The common shape: an epoch loop in main calling a templated train() with a
// nested data-loader loop, then test().
#include <cstdio>
#include <torch/torch.h>

struct Net : torch::nn::Module {
  Net() : fc(register_module("fc", torch::nn::Linear(784, 10))) {}
  torch::Tensor forward(torch::Tensor x) { return torch::log_softmax(fc(x), 1); }
  torch::nn::Linear fc;
};

template <typename Loader>
void train(int64_t epoch, Net& model, Loader& loader, torch::optim::Optimizer& optimizer) {
  model.train();
  for (auto& batch : loader) {
    optimizer.zero_grad();
    auto loss = torch::nll_loss(model.forward(torch::Tensor()), torch::Tensor());
    loss.backward();
    optimizer.step();
  }
  std::printf("epoch %ld\n", (long)epoch);
}

template <typename Loader>
void test(Net& model, Loader& loader) {
  torch::NoGradGuard no_grad;
  model.eval();
  double correct = 0;
  for (auto& batch : loader) correct += model.forward(torch::Tensor()).sum().item<double>();
  std::printf("correct %f\n", correct);
}

int main() {
  torch::manual_seed(1);
  Net model;
  auto train_loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  auto test_loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 1000);
  torch::optim::SGD optimizer(model.parameters(), torch::optim::SGDOptions(0.01));
  const int64_t kEpochs = 10;
  for (int64_t epoch = 1; epoch <= kEpochs; ++epoch) {
    train(epoch, model, *train_loader, optimizer);
    test(model, *test_loader);
  }
  return 0;
}
