// Typed log values from real tensors: whole tensors, summaries with a
// histogram, histograms, PNG images, and the errors for what is not accepted.
#include "torch_catch.h"

#include <png.h>

#include <cmath>
#include <limits>
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
