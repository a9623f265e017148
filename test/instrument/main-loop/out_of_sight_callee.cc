// The batch loop lives in another translation unit: main sees train_epoch()
// only as a declaration. A call to such a function that takes an optimizer
// by non-const reference is assumed to train: the epoch loop around it is
// the main loop and the call a skip block whose set holds every argument it
// may change (the holder passed by value shares the model). evaluate() takes
// no optimizer: it is not a block.
#include <cstdio>
#include <torch/torch.h>

using Loader = torch::data::StatelessDataLoader<torch::data::Example<>>;
void train_epoch(torch::nn::Linear model, Loader& loader, torch::optim::Optimizer& optimizer, double& loss_sum);
double evaluate(torch::nn::Linear model, Loader& loader);

int main() {
  torch::nn::Linear model(784, 10);
  std::vector<torch::Tensor> parameters;
  torch::optim::SGD optimizer(parameters, torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (int epoch = 0; epoch < 3; ++epoch) {
    double loss_sum = 0;
    train_epoch(model, *loader, optimizer, loss_sum);
    std::printf("%f %f\n", loss_sum, evaluate(model, *loader));
  }
}
