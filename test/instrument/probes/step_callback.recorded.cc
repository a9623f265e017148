// Probe detection on a plain step loop with a callback: the recorded version.
#include <flor/flor.h>
#include <torch/torch.h>

void report(double loss) { (void)loss; }

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.01));
  void (*on_step)(double) = report;
  for (int64_t step = 0; step < 100; ++step) {
    opt.zero_grad();
    auto loss = torch::mse_loss(net(torch::randn({32, 784})), torch::zeros({32, 10}));
    loss.backward();
    opt.step();
    on_step(loss.item<double>());
  }
}
