#include "train.h"

void train_epoch(Mlp model, Loader& loader, torch::optim::Optimizer& optimizer, double& loss_sum) {
  model->train();
  for (auto& batch : loader) {
    optimizer.zero_grad();
    auto loss = torch::nn::functional::cross_entropy(model(batch.data), batch.target);
    loss.backward();
    optimizer.step();
    loss_sum += loss.item<double>();
  }
}

double evaluate(Mlp model, const fmnist::Data& data) {
  torch::NoGradGuard no_grad;
  model->eval();
  auto predicted = model(data.images).argmax(1);
  model->train();
  return predicted.eq(data.labels).sum().item<double>() / data.size();
}
