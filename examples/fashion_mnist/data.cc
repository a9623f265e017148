#include "fashion_mnist/data.h"

#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace fs = std::filesystem;

namespace fmnist {
namespace {

constexpr const char* kPackageDir = "/usr/share/datasets/fashion-mnist";
constexpr int64_t kSide = 28;
// Mean and standard deviation of the Fashion-MNIST training pixels.
constexpr double kMean = 0.2860;
constexpr double kStd = 0.3530;

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

fs::path source_dir() { return env_or("FLOR_FMNIST_DIR", kPackageDir); }

fs::path cache_dir() {
  if (const char* v = std::getenv("FLOR_FMNIST_CACHE"); v && *v) return v;
  if (const char* v = std::getenv("XDG_CACHE_HOME"); v && *v) return fs::path(v) / "flor/fashion-mnist";
  return fs::path(env_or("HOME", ".")) / ".cache/flor/fashion-mnist";
}

// Unpacks SOURCE/NAME.gz into CACHE/NAME once (temp file + rename, so a killed
// unpack never leaves a half file behind).
fs::path unpacked(const std::string& name) {
  fs::path out = cache_dir() / name;
  if (fs::exists(out)) return out;
  fs::path gz = source_dir() / (name + ".gz");
  if (!fs::exists(gz)) {
    throw std::runtime_error("Fashion-MNIST not found: " + gz.string() +
                             " is missing (install the Debian package dataset-fashion-mnist: "
                             "apt-get install dataset-fashion-mnist, or set FLOR_FMNIST_DIR)");
  }
  fs::create_directories(out.parent_path());
  fs::path tmp = out.string() + ".tmp" + std::to_string(::getpid());
  gzFile in = gzopen(gz.c_str(), "rb");
  if (!in) throw std::runtime_error("cannot open " + gz.string());
  std::ofstream dst(tmp, std::ios::binary);
  std::vector<char> buf(1 << 20);
  int n = 0;
  while ((n = gzread(in, buf.data(), static_cast<unsigned>(buf.size()))) > 0) dst.write(buf.data(), n);
  bool ok = n == 0 && dst.good();
  gzclose(in);
  dst.close();
  if (!ok) {
    fs::remove(tmp);
    throw std::runtime_error("cannot unpack " + gz.string() + " into " + out.string());
  }
  fs::rename(tmp, out);
  return out;
}

uint32_t read_be32(std::ifstream& in) {
  unsigned char b[4];
  in.read(reinterpret_cast<char*>(b), 4);
  return (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | b[3];
}

// Reads an IDX file: magic, dimension sizes, then bytes. Returns the first
// `limit` items as uint8 with shape [n, dims...].
torch::Tensor read_idx(const fs::path& path, uint32_t magic, int64_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in || read_be32(in) != magic) {
    throw std::runtime_error(path.string() + " is not an IDX file (magic " + std::to_string(magic) +
                             "); delete it to unpack it again");
  }
  int ndims = magic & 0xff;
  std::vector<int64_t> shape;
  shape.reserve(ndims);
  for (int i = 0; i < ndims; ++i) shape.push_back(read_be32(in));
  if (limit > 0 && limit < shape[0]) shape[0] = limit;
  auto out = torch::empty(shape, torch::kUInt8);
  in.read(reinterpret_cast<char*>(out.data_ptr<uint8_t>()), out.numel());
  if (!in) throw std::runtime_error(path.string() + " is truncated; delete it to unpack it again");
  return out;
}

}  // namespace

Data load(Split split, int64_t limit) {
  const std::string prefix = split == Split::kTrain ? "train" : "t10k";
  auto images = read_idx(unpacked(prefix + "-images-idx3-ubyte"), 0x803, limit);
  auto labels = read_idx(unpacked(prefix + "-labels-idx1-ubyte"), 0x801, limit);
  Data d;
  d.images = ((images.to(torch::kFloat32) / 255.0 - kMean) / kStd).reshape({-1, 1, kSide, kSide});
  d.labels = labels.to(torch::kInt64);
  return d;
}

torch::data::Example<> TensorDataset::get_batch(c10::ArrayRef<size_t> indices) {
  std::vector<int64_t> idx(indices.begin(), indices.end());
  auto t = torch::tensor(idx, torch::kInt64);
  return {data_.images.index_select(0, t), data_.labels.index_select(0, t)};
}

}  // namespace fmnist
