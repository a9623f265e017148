// What a replay worker tells the driver about its restores (store/restores.h),
// through a real store.
#include <catch2/catch.hpp>

#include "common/temp_dir.h"
#include "store/restores.h"

namespace flor::store {
namespace {

TEST_CASE("restores: refusals round-trip through the store, each file once, the first ones listed", "[store]") {
  test::TempDir home;
  auto opened = Store::open(home.path, "exp");
  REQUIRE(opened.ok());
  Store& store = **opened;
  Run run;
  run.name = "exp";
  auto id = store.create_run(run);
  REQUIRE(id.ok());

  auto none = restores(store, *id);  // a worker that reported nothing
  REQUIRE(none.ok());
  CHECK(none->restored == 0);
  CHECK(none->refused.empty());

  Restores r;
  r.restored = 2;
  CHECK(r.refuse({"ckpt/r1-e00003-b0.ckpt", 3, 0, "train", "fails its checksum", "re-executing block 'train'"}));
  CHECK_FALSE(r.refuse({"ckpt/r1-e00003-b0.ckpt", 3, 0, "train", "again", "again"}));
  for (size_t i = 1; i <= kStoredRefusals; ++i) r.refuse({"ckpt/x" + std::to_string(i), 0, 0, "b", "e", "i"});
  CHECK(r.refused.size() == kStoredRefusals);
  CHECK(r.refused_more == 1);
  REQUIRE(put_restores(store, *id, r).ok());

  auto back = restores(store, *id);
  REQUIRE(back.ok());
  CHECK(back->restored == 2);
  CHECK(back->refused_more == 1);
  REQUIRE(back->refused.size() == kStoredRefusals);
  const Refusal& first = back->refused[0];
  CHECK(first.path == "ckpt/r1-e00003-b0.ckpt");
  CHECK(first.epoch == 3);
  CHECK(first.seq == 0);
  CHECK(first.block == "train");
  CHECK(first.error == "fails its checksum");
  CHECK(first.instead == "re-executing block 'train'");

  REQUIRE(store.put_blob(*id, kRestoresBlob, "{\"refused\": [{\"path\": 1}]}").ok());
  auto bad = restores(store, *id);
  CHECK(bad.status().code() == Code::kCorrupt);
  CHECK_THAT(bad.status().message(), Catch::Contains("run " + std::to_string(*id)));
}

}  // namespace
}  // namespace flor::store
