// Shape: a while loop to convergence, left by `break` after a maximum number
// of rounds. The model is a torch::nn::Sequential; each round is one pass over
// a Fashion-MNIST subset, its mean loss returned through a reference.
// Plain LibTorch; test/e2e/instrument_shape_converge.sh builds it through flor-instrument.
#include <cstdio>

#include "fashion_mnist/data.h"

template <typename Loader>
void train_round(torch::nn::Sequential& net, torch::optim::SGD& optimizer, Loader& loader, double& loss) {
  double sum = 0;
  int64_t batches = 0;
  for (auto& batch : loader) {
    optimizer.zero_grad();
    torch::Tensor batch_loss = torch::nn::functional::cross_entropy(net->forward(batch.data), batch.target);
    batch_loss.backward();
    optimizer.step();
    sum += batch_loss.item<double>();
    ++batches;
  }
  loss = sum / batches;
}

int main() {
  torch::manual_seed(1);
  const int64_t kMaxRounds = 3;
  auto data = fmnist::load(fmnist::Split::kTrain, 1200);
  auto loader = torch::data::make_data_loader<torch::data::samplers::RandomSampler>(
      fmnist::TensorDataset(data), torch::data::DataLoaderOptions(60));
  torch::nn::Sequential net(torch::nn::Flatten(), torch::nn::Linear(784, 64), torch::nn::ReLU(),
                            torch::nn::Linear(64, 10));
  torch::optim::SGD optimizer(net->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
  double loss = 1e9;
  double previous = 2e9;
  int64_t rounds = 0;
  while (previous - loss > 1e-6) {
    previous = loss;
    train_round(net, optimizer, *loader, loss);
    double w_norm = net->parameters()[0].norm().item<double>();
    std::printf("epoch %lld loss %.6f w_norm %.6f\n", static_cast<long long>(rounds), loss, w_norm);
    std::fflush(stdout);
    if (++rounds == kMaxRounds) break;
  }
  return 0;
}
