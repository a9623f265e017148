// A step loop written as `while (++batch_idx)` and left by break on
// convergence: the condition's side effect (batch_idx) is state too.
#include <cstdio>
#include <torch/torch.h>

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.01));
  int64_t batch_idx = 0;
  while (++batch_idx) {
    opt.zero_grad();
    auto loss = torch::mse_loss(net(torch::randn({32, 784})), torch::zeros({32, 10}));
    loss.backward();
    opt.step();
    if (loss.item<double>() < 1e-3 || batch_idx == 5000) break;
  }
  std::printf("%lld\n", static_cast<long long>(batch_idx));
}
