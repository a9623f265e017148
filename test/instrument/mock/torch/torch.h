// A small stand-in for <torch/torch.h>: the names and signatures flor-instrument
// looks at (modules, holders, optimizers, tensors, data loaders), no bodies
// that matter. Golden tests parse against it in milliseconds.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace c10 {
enum class DeviceType : int8_t { CPU, CUDA };
enum class ScalarType : int8_t { Float, Long };
struct Device {
  Device(DeviceType type, int8_t index = -1) : type_(type), index_(index) {}
  bool is_cuda() const { return type_ == DeviceType::CUDA; }
  DeviceType type_;
  int8_t index_;
};
// As in LibTorch: the implicit constructor forwards, so `.to(device)` binds a
// named Device as `Device&`.
struct TensorOptions {
  TensorOptions() = default;
  template <typename... Args>
  TensorOptions(Args&&... args) { (set(args), ...); }
  void set(Device) {}
  void set(ScalarType) {}
};
}  // namespace c10

namespace at {
class Tensor {
 public:
  Tensor() = default;
  void backward() const {}
  Tensor add_(const Tensor&) const { return *this; }
  Tensor mul_(double) const { return *this; }
  Tensor detach() const { return *this; }
  Tensor argmax(int64_t) const { return *this; }
  Tensor eq(const Tensor&) const { return *this; }
  Tensor sum() const { return *this; }
  Tensor mean() const { return *this; }
  Tensor view(std::vector<int64_t>) const { return *this; }
  Tensor to(c10::TensorOptions, bool non_blocking = false) const { (void)non_blocking; return *this; }
  int64_t size(int64_t) const { return 1; }
  template <typename T>
  T item() const { return T(); }
  Tensor operator-(const Tensor&) const { return *this; }
  Tensor operator*(double) const { return *this; }
};
}  // namespace at

namespace torch {
using at::Tensor;
using c10::Device;
constexpr c10::DeviceType kCUDA = c10::DeviceType::CUDA;
constexpr c10::DeviceType kCPU = c10::DeviceType::CPU;
namespace cuda {
inline bool is_available() { return false; }
}  // namespace cuda
inline void manual_seed(uint64_t) {}
inline Tensor randn(std::vector<int64_t>) { return {}; }
inline Tensor zeros(std::vector<int64_t>) { return {}; }
inline Tensor ones(std::vector<int64_t>) { return {}; }
inline Tensor relu(const Tensor& t) { return t; }
inline Tensor sigmoid(const Tensor& t) { return t; }
inline Tensor log_softmax(const Tensor& t, int64_t) { return t; }
inline Tensor nll_loss(const Tensor& a, const Tensor&) { return a; }
inline Tensor mse_loss(const Tensor& a, const Tensor&) { return a; }
inline Tensor binary_cross_entropy(const Tensor& a, const Tensor&) { return a; }
struct NoGradGuard {
  NoGradGuard() {}
  ~NoGradGuard() {}
};
// As in LibTorch: the path (or stream) is forwarded.
template <typename Value, typename... SaveToArgs>
void save(const Value&, SaveToArgs&&...) {}
template <typename T>
void load(T&, const std::string&) {}

namespace nn {
class Module {
 public:
  virtual ~Module() = default;
  virtual void train(bool on = true) { (void)on; }
  void eval() { train(false); }
  std::vector<Tensor> parameters(bool recurse = true) const { (void)recurse; return {}; }
  template <typename M>
  M register_module(const std::string&, M m) { return m; }
  Tensor register_parameter(const std::string&, Tensor t) { return t; }
};
template <typename Contained>
class ModuleHolder {
 public:
  ModuleHolder() : impl_(std::make_shared<Contained>()) {}
  template <typename... Args>
  explicit ModuleHolder(Args&&... args) : impl_(std::make_shared<Contained>(args...)) {}
  Contained* operator->() { return impl_.get(); }
  const Contained* operator->() const { return impl_.get(); }
  Contained& operator*() { return *impl_; }
  template <typename... Args>
  Tensor operator()(Args&&... args) { return impl_->forward(args...); }
  std::shared_ptr<Contained> ptr() const { return impl_; }

 private:
  std::shared_ptr<Contained> impl_;
};
#define TORCH_MODULE(Name)                                        \
  class Name : public torch::nn::ModuleHolder<Name##Impl> {       \
   public:                                                        \
    using torch::nn::ModuleHolder<Name##Impl>::ModuleHolder;      \
  }
class LinearImpl : public Module {
 public:
  LinearImpl(int64_t, int64_t) {}
  Tensor forward(const Tensor& x) { return x; }
  Tensor weight;
};
TORCH_MODULE(Linear);
class SequentialImpl : public Module {
 public:
  template <typename... M>
  explicit SequentialImpl(M&&...) {}
  Tensor forward(const Tensor& x) { return x; }
};
TORCH_MODULE(Sequential);
}  // namespace nn

namespace optim {
class Optimizer {
 public:
  explicit Optimizer(std::vector<Tensor>) {}
  virtual ~Optimizer() = default;
  void zero_grad() {}
  virtual Tensor step() { return {}; }
};
struct SGDOptions {
  explicit SGDOptions(double) {}
  SGDOptions& momentum(double) { return *this; }
};
class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> p, SGDOptions) : Optimizer(p) {}
};
struct AdamOptions {
  explicit AdamOptions(double) {}
};
class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> p, AdamOptions) : Optimizer(p) {}
};
class StepLR {
 public:
  StepLR(Optimizer&, unsigned, double) {}
  void step() {}
};
}  // namespace optim

namespace data {
template <typename Data = Tensor, typename Target = Tensor>
struct Example {
  Data data;
  Target target;
};
template <typename Batch>
class StatelessDataLoader {
 public:
  Batch* begin() { return nullptr; }
  Batch* end() { return nullptr; }
};
struct DataLoaderOptions {
  DataLoaderOptions(size_t) {}
};
namespace datasets {
struct MNIST {
  explicit MNIST(const std::string&) {}
  size_t size() const { return 0; }
};
}  // namespace datasets
template <typename Dataset>
std::unique_ptr<StatelessDataLoader<Example<>>> make_data_loader(Dataset, size_t) {
  return nullptr;
}
}  // namespace data
}  // namespace torch
