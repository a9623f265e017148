// A GAN: two models, two optimizers, a periodic manual torch::save.
#include <string>
#include <torch/torch.h>

struct GeneratorImpl : torch::nn::Module {
  GeneratorImpl() : fc(register_module("fc", torch::nn::Linear(100, 784))) {}
  torch::Tensor forward(torch::Tensor z) { return torch::sigmoid(fc(z)); }
  torch::nn::Linear fc;
};
TORCH_MODULE(Generator);

struct DiscriminatorImpl : torch::nn::Module {
  DiscriminatorImpl() : fc(register_module("fc", torch::nn::Linear(784, 1))) {}
  torch::Tensor forward(torch::Tensor x) { return torch::sigmoid(fc(x)); }
  torch::nn::Linear fc;
};
TORCH_MODULE(Discriminator);

int main() {
  Generator generator;
  Discriminator discriminator;
  torch::optim::Adam g_opt(generator->parameters(), torch::optim::AdamOptions(2e-4));
  torch::optim::Adam d_opt(discriminator->parameters(), torch::optim::AdamOptions(2e-4));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  int64_t checkpoint_counter = 0;
  for (int64_t epoch = 1; epoch <= 30; ++epoch) {
    int64_t batch_index = 0;
    for (auto& batch : *loader) {
      d_opt.zero_grad();
      auto real = discriminator->forward(batch.data);
      auto d_loss = torch::binary_cross_entropy(real, torch::ones({64}));
      d_loss.backward();
      d_opt.step();
      g_opt.zero_grad();
      auto fake = generator->forward(torch::randn({64, 100}));
      auto g_loss = torch::binary_cross_entropy(discriminator->forward(fake), torch::ones({64}));
      g_loss.backward();
      g_opt.step();
      if (++batch_index % 100 == 0) {
        torch::save(generator, "generator-checkpoint.pt");
        ++checkpoint_counter;
      }
    }
  }
}
