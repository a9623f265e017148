// A plain LibTorch training program (no flor code): a linear model fitted to
// synthetic data, an epoch loop around a batch loop.
#include <torch/torch.h>

#include <cstdio>

int main() {
  torch::manual_seed(0);
  torch::nn::Linear model(4, 1);
  torch::optim::SGD optimizer(model->parameters(), 0.1);
  torch::Tensor x = torch::randn({32, 4});
  torch::Tensor y = x.sum(1, /*keepdim=*/true);
  for (int64_t epoch = 0; epoch < 3; ++epoch) {
    double loss_sum = 0;
    for (int64_t b = 0; b < 4; ++b) {
      torch::Tensor xb = x.narrow(0, b * 8, 8), yb = y.narrow(0, b * 8, 8);
      optimizer.zero_grad();
      torch::Tensor loss = torch::mse_loss(model->forward(xb), yb);
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>();
    }
    std::printf("epoch %lld loss %.6f\n", static_cast<long long>(epoch), loss_sum / 4);
  }
  return 0;
}
