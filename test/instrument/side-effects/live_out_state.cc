// Per-epoch state carried out of the batch loop, of any type flor can
// checkpoint and with any initializer: the last batch kept for a sample grid
// (a tensor declared without a value), a vector of per-batch losses. They are
// the block's locals. A local flor cannot checkpoint (a std::map) makes the
// second block run, with a warning that says what to change.
#include <map>
#include <torch/torch.h>
#include <vector>

void save_grid(const torch::Tensor& images, int epoch);

int main() {
  torch::nn::Linear net(784, 10);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (int epoch = 0; epoch < 3; ++epoch) {
    torch::Tensor last_images;
    std::vector<torch::Tensor> losses;
    losses.reserve(16);
    for (auto& batch : *loader) {
      opt.zero_grad();
      auto loss = torch::nll_loss(net(batch.data), batch.target);
      loss.backward();
      opt.step();
      last_images = batch.data;
      losses.push_back(loss.detach());
    }
    save_grid(last_images, epoch);
    (void)losses.size();
    std::map<int, double> per_class;
    for (auto& batch : *loader) {
      opt.step();
      per_class[0] += net(batch.data).item<double>();
    }
    (void)per_class.size();
  }
}
