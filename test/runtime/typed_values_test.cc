// Typed log values from real tensors: whole tensors, summaries with a
// histogram, histograms, PNG images, and the errors for what is not accepted.
#include "torch_catch.h"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>
#include <flor/flor.h>

#include "store/value.h"
#include "typed_values.h"

namespace flor::rt {
namespace {

// Decodes a PNG with libpng's reader (independent of the writer's code path).
struct Decoded {
  uint32_t width = 0, height = 0;
  int channels = 0;
  std::vector<uint8_t> pixels;
};
Decoded decode_png(const std::string& bytes) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  REQUIRE(png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()));
  Decoded d;
  d.width = image.width;
  d.height = image.height;
  d.channels = PNG_IMAGE_SAMPLE_CHANNELS(image.format);
  d.pixels.resize(PNG_IMAGE_SIZE(image));
  REQUIRE(png_image_finish_read(&image, nullptr, d.pixels.data(), 0, nullptr));
  return d;
}

TEST_CASE("typed values: small tensors whole, large ones as a summary with a histogram", "[runtime]") {
  torch::Tensor cm = torch::arange(6, torch::kLong).reshape({2, 3});
  TypedValue v = tensor_value(cm, 1 << 20);
  CHECK(std::string(v.type) == store::kTypeTensor);
  CHECK(v.text == "int64[2,3] mean=2.5 min=0 max=5");
  REQUIRE(v.data.size() == 6 * 8);
  CHECK(std::memcmp(v.data.data(), cm.data_ptr<int64_t>(), v.data.size()) == 0);
  // A non-contiguous view is stored as its row-major values.
  TypedValue t = tensor_value(cm.t(), 1 << 20);
  CHECK(t.text.rfind("int64[3,2]", 0) == 0);
  CHECK(reinterpret_cast<const int64_t*>(t.data.data())[1] == 3);

  TypedValue big = tensor_value(torch::ones({4, 5}), 10);
  CHECK(std::string(big.type) == store::kTypeTensorSummary);
  CHECK_THAT(big.text, Catch::StartsWith("float[4,5] mean=1 min=1 max=1 fnv="));
  auto h = store::parse_histogram(big.data);
  REQUIRE(h.ok());
  CHECK(h->counts.size() == 30);
  CHECK(h->count == 20);

  TypedValue one = tensor_value(torch::tensor(0.5), 1 << 20);
  CHECK(one.text == "0.5");
  CHECK(one.data.empty());
}

TEST_CASE("typed values: a whole tensor's one pass gives torch's statistics and its bytes",
          "[runtime]") {
  // Many chunks and lanes, and a tail that fills no lane group.
  torch::manual_seed(3);
  torch::Tensor x = torch::randn({100003});
  TypedValue v = tensor_value(x, 1 << 20);
  REQUIRE(v.data.size() == 100003 * 4);
  CHECK(std::memcmp(v.data.data(), x.data_ptr(), v.data.size()) == 0);
  CHECK_THAT(v.text, Catch::Contains(" min=" + detail::to_text(x.min().item<double>()) +
                                     " max=" + detail::to_text(x.max().item<double>())));
  const double mean = std::stod(v.text.substr(v.text.find("mean=") + 5));
  CHECK(mean == Approx(x.to(torch::kDouble).mean().item<double>()).epsilon(1e-12));
  // The buffer given is the one filled (no fresh memory), and the same bytes give the same text.
  std::string buffer(100003 * 4, '\0');
  const char* at = buffer.data();
  TypedValue again = tensor_value(x, 1 << 20, std::move(buffer));
  CHECK(again.data.data() == at);
  CHECK(again.text == v.text);
  // A strided view is gathered first.
  torch::Tensor m = torch::arange(12, torch::kInt).reshape({3, 4}).t();
  TypedValue s = tensor_value(m, 1 << 20);
  CHECK(s.text == "int32[4,3] mean=5.5 min=0 max=11");
  const int32_t want[] = {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11};
  CHECK(std::memcmp(s.data.data(), want, sizeof want) == 0);
  // A NaN makes min and max NaN, as torch's are; infinities stay.
  torch::Tensor n = torch::tensor({1.0f, NAN, -2.0f});
  CHECK(tensor_value(n, 1 << 20).text == "float[3] mean=nan min=nan max=nan");
  const double infinity = std::numeric_limits<double>::infinity();
  torch::Tensor inf = torch::tensor({1.0, infinity, -infinity});
  CHECK(tensor_value(inf, 1 << 20).text == "float[3] mean=nan min=-inf max=inf");
  CHECK(tensor_value(torch::tensor({true, false}), 1 << 20).text == "bool[2]");
}

// The summary the runtime must give, in plain scalar code: eight lanes, lane j
// adding elements j, j+8, ... in order, the last n % 8 into lane 0, the
// lanes folded 0..7 (`lanes` = 1: one running sum, the negative control).
template <typename T>
std::string reference_stats(const T* p, size_t n, size_t lanes = 8) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> sum(lanes, 0.0), lo(lanes, inf), hi(lanes, -inf);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    for (size_t j = 0; j < lanes; ++j) {
      const auto v = static_cast<double>(p[i + j]);
      sum[j] += v;
      lo[j] = v < lo[j] ? v : lo[j];
      hi[j] = v > hi[j] ? v : hi[j];
    }
  }
  for (; i < n; ++i) {
    const auto v = static_cast<double>(p[i]);
    sum[0] += v;
    lo[0] = v < lo[0] ? v : lo[0];
    hi[0] = v > hi[0] ? v : hi[0];
  }
  double s = 0, mn = lo[0], mx = hi[0];
  for (size_t j = 0; j < lanes; ++j) {
    s += sum[j];
    mn = std::min(mn, lo[j]);
    mx = std::max(mx, hi[j]);
  }
  if (std::isnan(s) && std::any_of(p, p + n, [](T v) { return std::isnan(static_cast<double>(v)); })) {
    mn = mx = std::numeric_limits<double>::quiet_NaN();
  }
  return " mean=" + detail::to_text(s / static_cast<double>(n)) + " min=" + detail::to_text(mn) +
         " max=" + detail::to_text(mx);
}

// " mean=... min=... max=..." of a whole tensor's text.
std::string stats_of(const TypedValue& v) {
  return v.text.substr(v.text.find(' '));
}

TEST_CASE("typed values: a whole tensor's statistics add in a fixed order, whatever the CPU's path",
          "[runtime]") {
  // The text is compared bit for bit by replay: every path (the fused vector
  // pass, the chunked one, a gathered strided tensor) must give the scalar
  // reference's digits. Sizes with tails of 0, 3 and 7; magnitudes spread
  // wide so that another order rounds differently.
  torch::manual_seed(11);
  for (int64_t n : {int64_t{8}, int64_t{100003}, int64_t{1000000}, int64_t{65543}}) {
    for (auto dtype : {torch::kFloat, torch::kDouble}) {
      torch::Tensor x = (torch::randn({n}, torch::kDouble) * torch::exp(torch::randn({n}, torch::kDouble) * 6)).to(dtype);
      if (n > 100) {
        x[1] = -0.0;
        x[2] = 0.0;
      }
      INFO("n = " << n << ", " << c10::toString(dtype));
      TypedValue v = tensor_value(x, 1 << 20);
      REQUIRE(v.data.size() == static_cast<size_t>(x.nbytes()));
      CHECK(std::memcmp(v.data.data(), x.data_ptr(), v.data.size()) == 0);
      std::string want = dtype == torch::kFloat ? reference_stats(x.data_ptr<float>(), static_cast<size_t>(n))
                                                : reference_stats(x.data_ptr<double>(), static_cast<size_t>(n));
      CHECK(stats_of(v) == want);
      // Gathered first (a strided view): the pass over bytes already in place.
      torch::Tensor strided = torch::stack({x, x}, 1).select(1, 0);
      REQUIRE_FALSE(strided.is_contiguous());
      CHECK(stats_of(tensor_value(strided, 1 << 20)) == want);
      // The negative control: one running sum gives other digits, so the
      // comparison above would see an order changed.
      if (n > 100) {
        const std::string one = dtype == torch::kFloat
                                    ? reference_stats(x.data_ptr<float>(), static_cast<size_t>(n), 1)
                                    : reference_stats(x.data_ptr<double>(), static_cast<size_t>(n), 1);
        CHECK(one != want);
      }
    }
  }
  // Infinities and a NaN through the vector pass (more than one lane group).
  torch::Tensor odd = torch::arange(32, torch::kFloat);
  odd[9] = std::numeric_limits<float>::infinity();
  CHECK(stats_of(tensor_value(odd, 1 << 20)) == reference_stats(odd.data_ptr<float>(), 32));
  CHECK_THAT(tensor_value(odd, 1 << 20).text, Catch::EndsWith(" mean=inf min=0 max=inf"));
  odd[17] = NAN;
  CHECK_THAT(tensor_value(odd, 1 << 20).text, Catch::EndsWith(" mean=nan min=nan max=nan"));
}

TEST_CASE("typed values: a histogram keeps edges, counts and the sums", "[runtime]") {
  auto v = histogram_value(torch::tensor({0.0, 1.0, 2.0, 3.0, 4.0}), 4);
  REQUIRE(v.ok());
  CHECK(v->text == "hist[4] mean=2 min=0 max=4 count=5");
  auto h = store::parse_histogram(v->data);
  REQUIRE(h.ok());
  CHECK(h->edges == std::vector<double>{0, 1, 2, 3, 4});
  CHECK(h->counts == std::vector<double>{1, 1, 1, 2});  // the last bucket includes its right edge
  CHECK(h->sum == 10);
  CHECK(h->sum_squares == 30);
  CHECK_FALSE(histogram_value(torch::zeros({0}), 30).ok());
  CHECK_THAT(histogram_value(torch::ones({3}), 0).status().message(), Catch::Contains("at least 1"));
}

TEST_CASE("typed values: images from every accepted layout become PNGs; others are errors", "[runtime]") {
  torch::Tensor gray = torch::arange(6, torch::kByte).reshape({2, 3});
  auto g = image_value(gray);
  REQUIRE(g.ok());
  CHECK(g->text == "image 2x3x1");
  Decoded d = decode_png(g->data);
  CHECK(d.width == 3);
  CHECK(d.height == 2);
  CHECK(d.pixels == std::vector<uint8_t>{0, 1, 2, 3, 4, 5});

  torch::Tensor chw = torch::zeros({3, 2, 2});
  chw[0].fill_(1.0);  // red
  auto rgb = image_value(chw);
  REQUIRE(rgb.ok());
  CHECK(rgb->text == "image 2x2x3");
  CHECK(decode_png(rgb->data).pixels[0] == 255);
  CHECK(decode_png(rgb->data).pixels[1] == 0);
  CHECK(image_value(chw.permute({1, 2, 0}))->data == rgb->data);  // [H,W,C]

  auto grid = image_value(torch::ones({5, 1, 4, 4}));  // 3 columns, 2 rows
  REQUIRE(grid.ok());
  CHECK(grid->text == "image 8x12x1");

  CHECK_THAT(image_value(torch::zeros({2, 2, 2, 2, 2})).status().message(), Catch::Contains("accepted: [H,W]"));
  CHECK_THAT(image_value(torch::zeros({2, 5, 5})).status().message(), Catch::Contains("is no image"));
  CHECK_THAT(image_value(torch::zeros({2, 2}, torch::kLong)).status().message(), Catch::Contains("not a pixel type"));
  CHECK_THAT(image_value(torch::full({2, 2}, 2.0)).status().message(), Catch::Contains("[0,1]"));
}

}  // namespace
}  // namespace flor::rt
