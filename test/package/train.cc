// Builds against the installed package only: the header, the runtime and LibTorch.
#include <flor/flor.h>
#include <torch/torch.h>

#include <cstdio>

int main() {
  auto t = torch::ones({2, 2});
  std::printf("flor %s, sum %.1f\n", flor::version(), t.sum().item<double>());
  return 0;
}
