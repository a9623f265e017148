// Probe detection on a file without main() (a training step another file's
// loop calls): a log it gained may run inside that loop, so the verdict is
// incomplete.
#include <flor/flor.h>
#include <torch/torch.h>

double train_step(torch::nn::Linear& net, torch::optim::SGD& opt) {
  opt.zero_grad();
  auto loss = torch::mse_loss(net(torch::randn({32, 784})), torch::zeros({32, 10}));
  loss.backward();
  opt.step();
  flor::log("loss", loss.item<double>());
  return loss.item<double>();
}
