// Probe detection on a plain step loop: logs added after the loop only (one
// in main, one in evaluate(), which main calls there) probe nothing, and the
// verdict is complete: the step loop may be skipped.
#include <flor/flor.h>
#include <torch/torch.h>

double evaluate(torch::nn::Linear& net) {
  double v = net(torch::randn({8, 784})).item<double>();
  flor::log("eval", v);
  return v;
}

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
  flor::log("score", score);
  flor::log("steps", batch_idx);
}
