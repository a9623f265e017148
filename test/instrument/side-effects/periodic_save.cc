// Periodic saving in the batch loop: torch::save to a path writes a file the
// record already wrote, so it does not force the block to run; `path`, a
// named std::string forwarded to torch::save, is not state.
#include <string>
#include <torch/torch.h>

int main() {
  const int kCheckpointEvery = 100;
  std::string path = "checkpoint.pt";
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (int epoch = 0; epoch < 3; ++epoch) {
    int64_t i = 0;
    for (auto& batch : *loader) {
      opt.step();
      (void)net(batch.data);
      if (++i % kCheckpointEvery == 0) {
        torch::save(net, path);
        torch::save(opt, "optimizer-" + std::to_string(epoch) + ".pt");
      }
    }
  }
}
