// Probe detection on a plain step loop with a callback: report() gained a log,
// and main() does not call it by name (a function pointer that the loop
// calls), so flor cannot tell where it runs: the verdict is incomplete.
#include <flor/flor.h>
#include <torch/torch.h>

void report(double loss) { flor::log("loss", loss); }

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
