// Durable files (lib/util/durable_file.h): real files in a temp folder.
#include <catch2/catch.hpp>

#include <climits>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "util/durable_file.h"

namespace flor {
namespace {

using test::TempDir;

TEST_CASE("ckpt: a vectored append writes every piece in order, direct or not", "[util][ckpt]") {
  TempDir dir;
  // More aligned pieces than one writev takes (IOV_MAX), from an aligned
  // buffer (direct I/O), then the same followed by an unaligned piece (the
  // file goes on buffered).
  constexpr size_t kPiece = 4096, kCount = IOV_MAX + 300;
  void* raw = nullptr;
  REQUIRE(::posix_memalign(&raw, kPiece, kPiece * kCount) == 0);
  std::unique_ptr<uint8_t, decltype(&std::free)> buf(static_cast<uint8_t*>(raw), &std::free);
  for (size_t i = 0; i < kPiece * kCount; ++i) buf.get()[i] = static_cast<uint8_t>(i * 7 + i / kPiece);
  for (const bool tail : {false, true}) {
    std::vector<DurableFile::Piece> pieces;
    std::string expect;
    for (size_t i = kCount; i-- > 0;) {  // reverse order: the file order is the pieces' order
      pieces.push_back({buf.get() + i * kPiece, kPiece});
      expect.append(reinterpret_cast<const char*>(buf.get() + i * kPiece), kPiece);
    }
    if (tail) {
      pieces.push_back({"tail", 4});
      expect += "tail";
    }
    const std::string path = dir / (tail ? "b" : "a");
    auto file = DurableFile::create(path, IoMode::kDirect);
    REQUIRE(file.ok());
    REQUIRE(file->append_all(pieces).ok());
    CHECK(file->size() == static_cast<int64_t>(expect.size()));
    REQUIRE(file->commit().ok());
    auto bytes = read_file(path);
    REQUIRE(bytes.ok());
    CHECK(*bytes == expect);
  }
}

}  // namespace
}  // namespace flor
