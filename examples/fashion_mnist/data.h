// Fashion-MNIST from the Debian package dataset-fashion-mnist, for the example,
// the tests and the benchmarks. The package ships gzipped IDX files; they are
// unpacked once into a cache folder and read from there.
#pragma once

#include <torch/torch.h>

#include <string>

namespace fmnist {

enum class Split { kTrain, kTest };

struct Data {
  torch::Tensor images;  // [n, 1, 28, 28] float32, normalized
  torch::Tensor labels;  // [n] int64, 0..9
  int64_t size() const { return labels.size(0); }
};

// The first `limit` examples of a split (0 = all). Throws std::runtime_error
// with a message that names the missing package or the bad file.
// Source folder: $FLOR_FMNIST_DIR, else /usr/share/datasets/fashion-mnist.
// Cache folder: $FLOR_FMNIST_CACHE, else $XDG_CACHE_HOME/flor/fashion-mnist,
// else ~/.cache/flor/fashion-mnist.
Data load(Split split, int64_t limit = 0);

// A map-free dataset over two tensors: a batch is one index_select, not 64
// single-example copies and a stack.
class TensorDataset
    : public torch::data::datasets::BatchDataset<TensorDataset, torch::data::Example<>,
                                                  c10::ArrayRef<size_t>> {
 public:
  explicit TensorDataset(Data data) : data_(std::move(data)) {}
  torch::data::Example<> get_batch(c10::ArrayRef<size_t> indices) override;
  c10::optional<size_t> size() const override { return data_.size(); }

 private:
  Data data_;
};

}  // namespace fmnist
