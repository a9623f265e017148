// A step loop: no nested loop, each iteration one optimizer step on a batch
// drawn by the program. It is the main loop (flor::loop("step", ...)); what its
// body changes outside it (model, optimizer, a running loss reset every 100
// steps) is registered. Per-step locals are not state.
#include <cstdio>
#include <torch/torch.h>

int main() {
  const int64_t kSteps = 3000;
  torch::nn::Linear net(784, 10);
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-3));
  double running = 0;
  for (int64_t step = 0; step < kSteps; ++step) {
    auto x = torch::randn({64, 784});
    opt.zero_grad();
    auto loss = torch::mse_loss(net(x), torch::zeros({64, 10}));
    loss.backward();
    opt.step();
    running += loss.item<double>();
    if (step % 100 == 99) {
      std::printf("step %lld loss %f\n", static_cast<long long>(step), running / 100);
      running = 0;
    }
  }
}
