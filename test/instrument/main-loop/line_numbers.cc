// Printed output keeps the user's line numbers (and file: the #line
// directives name it) for the code after each inserted line, so a log's loc
// names the user's file and line: the static_asserts hold in the printed
// output, which the golden test compiles.
#include <cstdio>
#include <torch/torch.h>

static_assert(__LINE__ == 8, "the line after the inserted include");

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.01));
  for (int64_t step = 0; step < 100; ++step) {
    static_assert(__LINE__ == 14, "the line after the inserted checkpoints");
    opt.zero_grad();
    auto loss = torch::mse_loss(net(torch::randn({32, 784})), torch::zeros({32, 10}));
    loss.backward();
    opt.step();
  }
  static_assert(__LINE__ == 20, "after the loop");
  std::printf("done\n");
}
