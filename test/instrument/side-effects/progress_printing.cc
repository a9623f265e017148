// Progress printing in the batch loop: chained `std::cout << a << b`, printf,
// fprintf(stderr), fflush(stdout). Standard output is kept in the run's log, so
// it does not force the block to run (a skipped block does not print again).
// `step` is declared in the epoch body and read after the loop: a local.
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <torch/torch.h>

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (int epoch = 0; epoch < 3; ++epoch) {
    int64_t step = 0;
    for (auto& batch : *loader) {
      opt.zero_grad();
      auto loss = torch::nll_loss(net(batch.data), batch.target);
      loss.backward();
      opt.step();
      if (++step % 100 == 0) {
        std::cout << "epoch " << epoch << " step " << step << " loss " << std::fixed << std::setprecision(4)
                  << loss.item<double>() << std::endl;
        std::printf("\r%lld", static_cast<long long>(step));
        std::fprintf(stderr, ".");
        std::fflush(stdout);
      }
    }
    std::cout << "epoch " << epoch << " done after " << step << " steps\n";
  }
}
