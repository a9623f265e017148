// A module holder passed by value shares its module: what the callee does to
// its copy reaches the caller's object. The teacher (an average of the
// student, no optimizer names it) must be in the set, whether the callee is
// visible (update_teacher) or out of sight (clip_teacher, defined elsewhere).
#include <torch/torch.h>

void update_teacher(torch::nn::Linear teacher, const torch::nn::Linear& student) {
  teacher->weight.mul_(0.99);
  teacher->weight.add_(student->weight);
}

void clip_teacher(torch::nn::Linear teacher);

int main() {
  torch::nn::Linear student(784, 10);
  torch::nn::Linear teacher(784, 10);
  torch::optim::SGD optimizer(student->parameters(), torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader(torch::data::datasets::MNIST("data"), 64);
  for (int epoch = 0; epoch < 3; ++epoch) {
    for (auto& batch : *loader) {
      optimizer.zero_grad();
      student(batch.data).backward();
      optimizer.step();
      update_teacher(teacher, student);
    }
    for (auto& batch : *loader) clip_teacher(teacher);
  }
}
