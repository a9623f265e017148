// Version 2 (a higher learning rate, a wider layer) of a small Fashion-MNIST classifier (manual flor API): the
// batches are a nested flor::loop, so a replay can skip them from a checkpoint.
#include <flor/flor.h>

#include <cstdio>

#include "fashion_mnist/data.h"

struct NetImpl : torch::nn::Module {
  explicit NetImpl(int64_t hidden)
      : fc1(register_module("fc1", torch::nn::Linear(784, hidden))),
        fc2(register_module("fc2", torch::nn::Linear(hidden, 10))) {}
  torch::Tensor forward(torch::Tensor x) { return fc2(torch::relu(fc1(x.view({x.size(0), 784})))); }
  torch::nn::Linear fc1, fc2;
};
TORCH_MODULE(Net);

int main(int argc, char** argv) {
  flor::init(argc, argv);
  const int64_t epochs = flor::arg("epochs", int64_t{3});
  const double lr = flor::arg("lr", 0.1);
  torch::manual_seed(0);
  auto train = fmnist::load(fmnist::Split::kTrain, flor::arg("train-size", int64_t{512}));
  auto test = fmnist::load(fmnist::Split::kTest, flor::arg("test-size", int64_t{200}));
  auto loader = torch::data::make_data_loader<torch::data::samplers::RandomSampler>(
      fmnist::TensorDataset(train), torch::data::DataLoaderOptions(64));
  Net model(48);
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(lr).momentum(0.9));
  flor::checkpoints(model, optimizer);

  for (int64_t epoch : flor::loop("epoch", 0, epochs)) {
    model->train();
    double loss_sum = 0;
    int64_t steps = 0;
    for (auto& batch : flor::loop("batch", *loader)) {
      optimizer.zero_grad();
      auto loss = torch::nn::functional::cross_entropy(model->forward(batch.data), batch.target);
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>();
      ++steps;
    }
    // A skipped batch loop leaves the sum at 0: no train_loss then (the record has it).
    if (steps > 0) flor::log("train_loss", loss_sum / static_cast<double>(steps));

    model->eval();
    torch::NoGradGuard no_grad;
    const auto correct = model->forward(test.images).argmax(1).eq(test.labels).sum().item<int64_t>();
    const double accuracy = static_cast<double>(correct) / static_cast<double>(test.size());
    flor::log("test_acc", accuracy);
    std::printf("epoch %lld accuracy %.4f\n", static_cast<long long>(epoch), accuracy);
    std::fflush(stdout);
  }
  return 0;
}
