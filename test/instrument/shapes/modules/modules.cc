// Shape: both ways to declare a module. An encoder behind a TORCH_MODULE
// holder (passed by value, which shares the module) and a plain
// `struct Net : torch::nn::Module` used by value and passed by reference, as
// in LibTorch's MNIST example; one optimizer over both parameter lists.
// Plain LibTorch; test/e2e/instrument_shape_modules.sh builds it through flor-instrument.
#include <cstdio>

#include "fashion_mnist/data.h"

struct EncoderImpl : torch::nn::Module {
  EncoderImpl() : fc(register_module("fc", torch::nn::Linear(784, 64))) {}
  torch::Tensor forward(torch::Tensor x) { return torch::relu(fc(x.view({x.size(0), 784}))); }
  torch::nn::Linear fc;
};
TORCH_MODULE(Encoder);

struct Net : torch::nn::Module {
  Net() : fc1(32, 32), fc2(32, 10) {
    register_module("fc1", fc1);
    register_module("fc2", fc2);
  }
  torch::Tensor forward(torch::Tensor x) {
    x = torch::max_pool1d(x.unsqueeze(1), 2).squeeze(1);
    return fc2->forward(torch::dropout(torch::relu(fc1->forward(x)), 0.2, is_training()));
  }
  torch::nn::Linear fc1, fc2;
};

template <typename Loader>
void train(Encoder encoder, Net& head, Loader& loader, torch::optim::Optimizer& optimizer, double& loss_sum) {
  encoder->train();
  head.train();
  for (auto& batch : loader) {
    optimizer.zero_grad();
    torch::Tensor loss = torch::nn::functional::cross_entropy(head.forward(encoder(batch.data)), batch.target);
    loss.backward();
    optimizer.step();
    loss_sum += loss.item<double>();
  }
}

double test(Encoder encoder, Net& head, const fmnist::Data& data) {
  torch::NoGradGuard no_grad;
  encoder->eval();
  head.eval();
  auto predicted = head.forward(encoder(data.images)).argmax(1);
  return predicted.eq(data.labels).sum().item<double>() / data.size();
}

int main() {
  torch::manual_seed(3);
  auto train_data = fmnist::load(fmnist::Split::kTrain, 1200);
  auto test_data = fmnist::load(fmnist::Split::kTest, 300);
  auto loader = torch::data::make_data_loader<torch::data::samplers::RandomSampler>(
      fmnist::TensorDataset(train_data), torch::data::DataLoaderOptions(50));
  Encoder encoder;
  Net head;
  std::vector<torch::Tensor> parameters = encoder->parameters();
  for (auto& p : head.parameters()) parameters.push_back(p);
  torch::optim::Adam optimizer(parameters, torch::optim::AdamOptions(1e-3));
  for (int64_t epoch = 0; epoch < 3; ++epoch) {
    double loss_sum = 0;
    train(encoder, head, *loader, optimizer, loss_sum);
    double accuracy = test(encoder, head, test_data);
    std::printf("epoch %lld loss %.6f accuracy %.6f\n", static_cast<long long>(epoch), loss_sum / 24, accuracy);
    std::fflush(stdout);
  }
  return 0;
}
