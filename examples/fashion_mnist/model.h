// The example's model: a 784-256-128-10 MLP with dropout, and its evaluation.
#pragma once

#include <torch/torch.h>

#include "fashion_mnist/data.h"

namespace fmnist {

struct MlpImpl : torch::nn::Module {
  explicit MlpImpl(double dropout = 0.2);
  torch::Tensor forward(torch::Tensor x);

  torch::nn::Linear fc1{nullptr}, fc2{nullptr}, fc3{nullptr};
  torch::nn::Dropout drop{nullptr};
};
TORCH_MODULE(Mlp);

struct Eval {
  double loss = 0;
  double accuracy = 0;
};

// Loss and accuracy on `data`, in eval mode without gradients (restores train mode).
Eval evaluate(Mlp& model, const Data& data, int64_t batch_size = 1000);

// Pins OpenBLAS's thread count (through dlsym, so it works whichever BLAS is
// loaded) and torch's intra-op threads. Returns the OpenBLAS count, or -1 when
// the BLAS is not OpenBLAS.
int pin_threads(int torch_threads, int blas_threads = 1);

}  // namespace fmnist
