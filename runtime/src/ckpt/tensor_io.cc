#include "ckpt/tensor_io.h"

#include <ATen/ops/empty.h>
#include <ATen/ops/from_blob.h>
#include <c10/core/GradMode.h>

#include <cstring>
#include <exception>

#include "ckpt/format.h"

namespace flor::rt {
using ckpt::DType;
namespace {

struct DTypePair {
  at::ScalarType torch;
  DType format;
};

constexpr DTypePair kDTypes[] = {
    {at::kFloat, DType::kFloat32}, {at::kDouble, DType::kFloat64},
    {at::kHalf, DType::kFloat16},  {at::kBFloat16, DType::kBFloat16},
    {at::kChar, DType::kInt8},     {at::kByte, DType::kUInt8},
    {at::kShort, DType::kInt16},   {at::kInt, DType::kInt32},
    {at::kLong, DType::kInt64},    {at::kBool, DType::kBool},
    {at::kComplexFloat, DType::kComplex64}, {at::kComplexDouble, DType::kComplex128},
};

bool host_dense(const at::Tensor& t) { return t.device().is_cpu() && t.is_contiguous(); }

Status torch_error(const std::string& what, const std::string& key, const std::exception& e) {
  return internal_error(what + " tensor '" + key + "': " + e.what());
}

}  // namespace

Result<uint8_t> format_dtype(const at::Tensor& t, const std::string& key) {
  if (!t.defined()) return invalid_argument("state tensor '" + key + "' is undefined");
  if (t.layout() != at::kStrided || t.is_quantized()) {
    return invalid_argument("state tensor '" + key + "' is not a dense tensor (sparse or quantized)");
  }
  for (const auto& p : kDTypes) {
    if (p.torch == t.scalar_type()) return static_cast<uint8_t>(p.format);
  }
  return invalid_argument(std::string("state tensor '") + key + "' has dtype " +
                          c10::toString(t.scalar_type()) + ", which checkpoints do not support");
}

at::ScalarType scalar_type_of(uint8_t code) {
  for (const auto& p : kDTypes) {
    if (static_cast<uint8_t>(p.format) == code) return p.torch;
  }
  return at::ScalarType::Undefined;
}

size_t tensor_nbytes(const at::Tensor& t) {
  return static_cast<size_t>(t.numel()) * t.element_size();
}

Status copy_to_host(const at::Tensor& src, uint8_t* dst, const std::string& key) {
  if (src.numel() == 0) return Status();
  try {
    if (host_dense(src)) {
      std::memcpy(dst, src.data_ptr(), tensor_nbytes(src));
      return Status();
    }
    // Strided or device tensors: let torch gather into a dense view of dst
    // (for CUDA this is the device-to-host copy).
    c10::NoGradGuard no_grad;
    at::from_blob(dst, src.sizes(), at::TensorOptions().dtype(src.scalar_type())).copy_(src);
  } catch (const std::exception& e) {
    return torch_error("cannot copy", key, e);
  }
  return Status();
}

Status fill_tensor(const at::Tensor& dst, const std::function<Status(uint8_t*)>& fill,
                   const std::string& key) {
  if (host_dense(dst)) return fill(static_cast<uint8_t*>(dst.data_ptr()));
  try {
    at::Tensor host = at::empty(dst.sizes(), at::TensorOptions().dtype(dst.scalar_type()));
    FLOR_RETURN_IF_ERROR(fill(static_cast<uint8_t*>(host.data_ptr())));
    c10::NoGradGuard no_grad;  // parameters are leaves that require grad
    dst.copy_(host);
  } catch (const std::exception& e) {
    return torch_error("cannot restore", key, e);
  }
  return Status();
}

}  // namespace flor::rt
