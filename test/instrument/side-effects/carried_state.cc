// State the epoch body carries from epoch to epoch outside the batch loop: a
// scheduler stepped after it, the best loss so far and an early-stopping
// counter. No checkpoint holds it (a checkpoint is taken at the block's end),
// so flor::carried_state names it and replays of the record use strong init.
// Not carried: the registered model (put in eval mode by the evaluation), the
// loaders, standard output, the epoch body's own locals.
#include <cstdio>
#include <iostream>
#include <torch/torch.h>

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  torch::optim::StepLR scheduler(opt, 10, 0.5);
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  auto test_loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 100);
  double best = 1e9;
  int patience = 0;
  for (int epoch = 0; epoch < 30; ++epoch) {
    for (auto& batch : *loader) {
      opt.zero_grad();
      torch::nll_loss(net(batch.data), batch.target).backward();
      opt.step();
    }
    scheduler.step();
    double loss = 0;
    net->eval();
    for (auto& batch : *test_loader) loss += net(batch.data).mean().item<double>();
    net->train();
    if (loss < best) {
      best = loss;
      patience = 0;
    } else if (++patience == 3) {
      break;
    }
    std::cout << "epoch " << epoch << " loss " << loss << " best " << best << std::endl;
    std::fflush(stdout);
  }
}
