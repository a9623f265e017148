// Shape: full-batch training to convergence. A linear regression on a fixed
// design matrix, one step per iteration over all of it, in a `while` whose
// condition counts the iterations (`++iteration`) and a `break` once the loss
// stops improving. No data loader, no nested loop.
// Plain LibTorch; test/e2e/instrument_shape_full_batch.sh builds it through flor-instrument.
#include <torch/torch.h>

#include <cstdio>

int main() {
  torch::manual_seed(13);
  auto x = torch::randn({512, 8});
  auto w_true = torch::randn({8, 1});
  auto y = x.mm(w_true) + 0.1 * torch::randn({512, 1});
  torch::nn::Linear model(8, 1);
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(0.05));
  int64_t iteration = 0;
  double best = 1e30;
  while (++iteration) {
    optimizer.zero_grad();
    auto loss = torch::mse_loss(model->forward(x), y);
    loss.backward();
    optimizer.step();
    double value = loss.item<double>();
    if (iteration % 50 == 0) std::printf("iteration %lld loss %.6f\n", static_cast<long long>(iteration), value);
    if (value > best - 1e-7 || iteration == 400) break;
    best = value;
  }
  double w_error = (model->weight.t() - w_true).norm().item<double>();
  std::printf("iterations %lld w_error %.6f\n", static_cast<long long>(iteration), w_error);
  return 0;
}
