// Garbage collection of a checkpoint directory (lib/ckpt/gc.h): checkpoints
// written by the real checkpoint writer from plain bytes, real files.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "ckpt/gc.h"
#include "common/flip_byte.h"
#include "common/temp_dir.h"
#include "unit/ckpt_bytes.h"

namespace flor {
namespace {

namespace fs = std::filesystem;
using ckpt::CheckpointWriter;
using test::flip_byte;
using test::Floats;
using test::FloatState;
using test::read_floats;
using test::TempDir;
using test::two_tensor_state;
using test::verify_floats;
using test::write_floats;

TEST_CASE("ckpt: garbage collection keeps live checkpoints whole", "[ckpt][gc]") {
  TempDir dir;
  constexpr int64_t kElems = 64 * 1024;
  {
    CheckpointWriter writer(dir.path);
    for (int i = 0; i < 3; ++i) {
      REQUIRE(write_floats(writer, two_tensor_state(kElems, static_cast<float>(i)),
                           "c" + std::to_string(i) + ".ckpt")
                  .ok());
    }
  }
  std::ofstream(dir / "c9.ckpt.tmp-123") << "leftover of a crash";
  auto before = ckpt::list_checkpoints(dir.path);
  REQUIRE(before.ok());
  CHECK(*before == std::vector<std::string>{"c0.ckpt", "c1.ckpt", "c2.ckpt"});

  // c2 references "frozen" in c0's pack, so that pack must survive.
  auto freed = ckpt::collect_garbage(dir.path, {dir / "c2.ckpt"});
  REQUIRE(freed.ok());
  CHECK(*freed > kElems * 4);  // c1's pack at least
  CHECK(*ckpt::list_checkpoints(dir.path) == std::vector<std::string>{"c2.ckpt"});
  CHECK_FALSE(fs::exists(dir / "c9.ckpt.tmp-123"));
  auto restored = read_floats(dir.path, "c2.ckpt");
  REQUIRE(restored.ok());
  CHECK(restored->at("w") == Floats(kElems, 2.0f));

  SECTION("nothing live frees everything") {
    auto all = ckpt::collect_garbage(dir.path, {});
    REQUIRE(all.ok());
    CHECK(*all > 2 * kElems * 4);
    CHECK(fs::is_empty(dir / "packs"));
  }
  SECTION("a corrupt live checkpoint refuses") {
    flip_byte(dir / "c2.ckpt", 20);
    auto refused = ckpt::collect_garbage(dir.path, {"c2.ckpt"});
    CHECK(refused.status().code() == Code::kCorrupt);
    CHECK_FALSE(fs::is_empty(dir / "packs"));
  }
}

TEST_CASE("ckpt: garbage collection shrinks a pack that is mostly dead bytes", "[ckpt][gc]") {
  TempDir dir;
  constexpr int64_t kElems = 256 * 1024;
  const auto state = [](float a, float b, float c) {
    return FloatState{{"a", Floats(kElems, a)}, {"b", Floats(kElems, b)}, {"c", Floats(kElems, c)}};
  };
  {
    CheckpointWriter writer(dir.path);
    REQUIRE(write_floats(writer, state(1, 2, 3), "c1.ckpt").ok());
    REQUIRE(write_floats(writer, state(4, 5, 3), "c2.ckpt").ok());  // "c" stays in c1's pack
  }
  auto c1 = ckpt::read_manifest(dir / "c1.ckpt");
  REQUIRE(c1.ok());
  const std::string c1_pack = ckpt::pack_path(dir.path, c1->entries[0].blob.pack_id);
  const auto count_packs = [&] {
    return std::distance(fs::directory_iterator(dir / "packs"), fs::directory_iterator());
  };
  REQUIRE(count_packs() == 2);

  SECTION("the live blob moves to a new pack, the old one goes") {
    auto would = ckpt::collect_garbage(dir.path, {"c2.ckpt"}, /*dry_run=*/true);
    REQUIRE(would.ok());
    CHECK((fs::exists(c1_pack) && fs::exists(dir / "c1.ckpt")));  // a dry run changes nothing
    auto freed = ckpt::collect_garbage(dir.path, {"c2.ckpt"});
    REQUIRE(freed.ok());
    CHECK(*freed == *would);
    CHECK(*freed >= 2 * kElems * 4);  // c1's "a" and "b"
    CHECK_FALSE(fs::exists(c1_pack));
    CHECK(count_packs() == 2);  // c2's own pack and the compacted one
    REQUIRE(verify_floats(dir.path, "c2.ckpt").ok());
    auto restored = read_floats(dir.path, "c2.ckpt");
    REQUIRE(restored.ok());
    CHECK(restored->at("c") == Floats(kElems, 3.0f));
    CHECK(restored->at("a") == Floats(kElems, 4.0f));
    auto again = ckpt::collect_garbage(dir.path, {"c2.ckpt"});
    REQUIRE(again.ok());
    CHECK(*again == 0);  // nothing left to shrink
  }
  SECTION("a pack whose live blob fails its checksum is left as it is") {
    flip_byte(c1_pack, 4096 + 2 * 1024 * 1024 + 10);  // in "c", the third blob
    auto freed = ckpt::collect_garbage(dir.path, {"c2.ckpt"});
    REQUIRE(freed.ok());
    CHECK(fs::exists(c1_pack));
    CHECK(verify_floats(dir.path, "c2.ckpt").code() == Code::kCorrupt);
  }
}

}  // namespace
}  // namespace flor
