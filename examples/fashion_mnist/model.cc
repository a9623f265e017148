#include "fashion_mnist/model.h"

#include <dlfcn.h>

namespace fmnist {

MlpImpl::MlpImpl(double dropout) {
  fc1 = register_module("fc1", torch::nn::Linear(28 * 28, 256));
  fc2 = register_module("fc2", torch::nn::Linear(256, 128));
  fc3 = register_module("fc3", torch::nn::Linear(128, 10));
  drop = register_module("drop", torch::nn::Dropout(dropout));
}

torch::Tensor MlpImpl::forward(torch::Tensor x) {
  x = x.flatten(1);
  x = drop(torch::relu(fc1(x)));
  x = drop(torch::relu(fc2(x)));
  return fc3(x);
}

Eval evaluate(Mlp& model, const Data& data, int64_t batch_size) {
  torch::NoGradGuard no_grad;
  bool was_training = model->is_training();
  model->eval();
  double loss = 0;
  int64_t correct = 0;
  for (int64_t i = 0; i < data.size(); i += batch_size) {
    int64_t n = std::min(batch_size, data.size() - i);
    auto x = data.images.narrow(0, i, n);
    auto y = data.labels.narrow(0, i, n);
    auto out = model->forward(x);
    loss += torch::nn::functional::cross_entropy(
                out, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                .item<double>();
    correct += out.argmax(1).eq(y).sum().item<int64_t>();
  }
  model->train(was_training);
  return {loss / data.size(), static_cast<double>(correct) / data.size()};
}

int pin_threads(int torch_threads, int blas_threads) {
  torch::set_num_threads(torch_threads);
  using SetFn = void (*)(int);
  using GetFn = int (*)();
  auto set = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  auto get = reinterpret_cast<GetFn>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  if (!set || !get) return -1;
  set(blas_threads);
  return get();
}

}  // namespace fmnist
