// Probe detection on a file without main(): the recorded version.
#include <flor/flor.h>
#include <torch/torch.h>

double train_step(torch::nn::Linear& net, torch::optim::SGD& opt) {
  opt.zero_grad();
  auto loss = torch::mse_loss(net(torch::randn({32, 784})), torch::zeros({32, 10}));
  loss.backward();
  opt.step();
  return loss.item<double>();
}
