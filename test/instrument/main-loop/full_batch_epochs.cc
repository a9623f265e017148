// Full-batch epochs: `for (epoch ...) { forward; backward; step; }`, a step
// loop over the whole data set; the state lives in a helper the body calls.
#include <cstdio>
#include <torch/torch.h>

struct Regression {
  torch::nn::Linear model{1, 1};
  torch::optim::SGD opt{model->parameters(), torch::optim::SGDOptions(0.05)};
  double fit(const torch::Tensor& x, const torch::Tensor& y) {
    opt.zero_grad();
    auto loss = torch::mse_loss(model(x), y);
    loss.backward();
    opt.step();
    return loss.item<double>();
  }
};

int main() {
  Regression r;
  auto x = torch::randn({256, 1});
  auto y = x * 3.0;
  for (int epoch = 0; epoch <= 200; epoch++) {
    double loss = r.fit(x, y);
    if (epoch % 50 == 0) std::printf("epoch %d loss %f\n", epoch, loss);
  }
}
