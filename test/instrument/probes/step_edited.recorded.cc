// Probe detection on a plain step loop: the recorded version.
#include <flor/flor.h>
#include <torch/torch.h>

double evaluate(torch::nn::Linear& net) { return net(torch::randn({8, 784})).item<double>(); }

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
  double score = evaluate(net);
  (void)score;
}
