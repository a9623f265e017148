// A global counter changed deep inside a callee is followed and checkpointed;
// a pointer parameter is followed to the caller's object.
#include <torch/torch.h>

static int64_t g_steps = 0;

void step(torch::optim::Optimizer* opt) {
  opt->step();
  ++g_steps;
}

template <typename Loader>
void run_epoch(Loader& loader, torch::optim::Optimizer* opt) {
  for (auto& batch : loader) step(opt);
}

int main() {
  torch::nn::Sequential seq(torch::nn::Linear(784, 10));
  torch::optim::SGD sgd(seq->parameters(), torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (int epoch = 0; epoch < 2; ++epoch) run_epoch(*loader, &sgd);
}
