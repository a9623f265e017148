// The torch adapter of the checkpoint engine: dtype mapping and moving bytes
// between tensors (any device, any strides) and host memory. Exceptions from
// LibTorch are caught here and become Status values.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "util/status.h"

namespace flor::rt {

// The format's dtype code of a dense tensor; kInvalidArgument for an
// undefined, sparse or quantized tensor, or a dtype the format lacks.
Result<uint8_t> format_dtype(const at::Tensor& t, const std::string& key);
at::ScalarType scalar_type_of(uint8_t code);
// Bytes of the tensor's data (numel * element size).
size_t tensor_nbytes(const at::Tensor& t);

// Copies `src` (CPU or CUDA, contiguous or not) into `dst` as dense row-major
// bytes. dst must hold tensor_nbytes(src).
Status copy_to_host(const at::Tensor& src, uint8_t* dst, const std::string& key);

// Writes bytes into `dst`'s storage. `fill` produces the dense row-major bytes
// into the buffer it is given: straight into the tensor when it is a
// contiguous CPU tensor, else into a host buffer that is then copied over.
Status fill_tensor(const at::Tensor& dst, const std::function<Status(uint8_t*)>& fill,
                   const std::string& key);

}  // namespace flor::rt
