// Shape: a tutorial-style classifier. Batches moved with `.to(device)`,
// progress printed with chained `std::cout <<` every few batches, per-epoch
// accumulators declared in the epoch body (and declared again, under the same
// names, in the test section after the loop), and a periodic torch::save of
// the model inside the batch loop. Fashion-MNIST subsets.
// Plain LibTorch; test/e2e/instrument_shape_classifier.sh builds it through flor-instrument.
#include <cstdio>
#include <iomanip>
#include <iostream>

#include "fashion_mnist/data.h"

struct NetImpl : torch::nn::Module {
  NetImpl() : fc1(register_module("fc1", torch::nn::Linear(784, 64))), fc2(register_module("fc2", torch::nn::Linear(64, 10))) {}
  torch::Tensor forward(torch::Tensor x) { return fc2(torch::relu(fc1(x.view({x.size(0), 784})))); }
  torch::nn::Linear fc1, fc2;
};
TORCH_MODULE(Net);

int main() {
  torch::manual_seed(3);
  torch::Device device(torch::cuda::is_available() ? torch::kCUDA : torch::kCPU);
  const int64_t kEpochs = 3, kLogEvery = 10, kCheckpointEvery = 15;
  auto train_data = fmnist::load(fmnist::Split::kTrain, 960);
  auto test_data = fmnist::load(fmnist::Split::kTest, 200);
  const auto train_size = static_cast<double>(train_data.size());
  const auto test_size = static_cast<double>(test_data.size());
  auto loader = torch::data::make_data_loader<torch::data::samplers::RandomSampler>(
      fmnist::TensorDataset(train_data), torch::data::DataLoaderOptions(32));
  auto test_loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
      fmnist::TensorDataset(test_data), torch::data::DataLoaderOptions(100));
  Net model;
  model->to(device);
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));

  for (int64_t epoch = 0; epoch < kEpochs; ++epoch) {
    model->train();
    double running_loss = 0.0;
    size_t num_correct = 0;
    int64_t batch_index = 0;
    for (auto& batch : *loader) {
      auto data = batch.data.to(device);
      auto target = batch.target.to(device);
      optimizer.zero_grad();
      auto output = model->forward(data);
      auto loss = torch::nn::functional::cross_entropy(output, target);
      loss.backward();
      optimizer.step();
      running_loss += loss.item<double>() * data.size(0);
      num_correct += output.argmax(1).eq(target).sum().item<int64_t>();
      if (++batch_index % kLogEvery == 0) {
        std::cout << "Epoch [" << (epoch + 1) << "/" << kEpochs << "], Batch " << batch_index
                  << ", Loss: " << std::fixed << std::setprecision(4) << loss.item<double>() << std::endl;
      }
      if (batch_index % kCheckpointEvery == 0) torch::save(model, "classifier_model.pt");
    }
    double loss = running_loss / train_size;
    double accuracy = static_cast<double>(num_correct) / train_size;
    std::printf("epoch %lld loss %.6f accuracy %.6f\n", static_cast<long long>(epoch), loss, accuracy);
    std::fflush(stdout);
  }

  model->eval();
  torch::NoGradGuard no_grad;
  double running_loss = 0.0;
  size_t num_correct = 0;
  for (auto& batch : *test_loader) {
    auto output = model->forward(batch.data.to(device));
    running_loss += torch::nn::functional::cross_entropy(output, batch.target.to(device)).item<double>() * 100;
    num_correct += output.argmax(1).eq(batch.target.to(device)).sum().item<int64_t>();
  }
  std::printf("test loss %.6f accuracy %.6f\n", running_loss / test_size, num_correct / test_size);
  return 0;
}
