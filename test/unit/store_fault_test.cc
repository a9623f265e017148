// The last step of a checkpoint, its row in the store, failing: through a
// FaultEnv (util/fault_env.h) given to the store (store/env_vfs.h), exactly
// the database write that stores the row fails. The store goes on and opens
// again, the checkpoint whose row is missing is never a place to restore
// from, and gc collects its files. The training-level tests of every step are
// test/e2e/runtime_fault_*.sh.
#include <catch2/catch.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "ckpt/gc.h"
#include "common/temp_dir.h"
#include "plan/record_shape.h"
#include "store/store.h"
#include "unit/ckpt_bytes.h"
#include "util/fault_env.h"

namespace flor {
namespace {

namespace fs = std::filesystem;
using Op = FaultEnv::Op;

constexpr size_t kElems = 4 * 1024;

TEST_CASE("store: a failed checkpoint row: the store goes on and opens, replay never uses it, gc collects it",
          "[store][fault][sqlite]") {
  const int err = GENERATE(EIO, ENOSPC);
  INFO(std::strerror(err));
  test::TempDir home;
  const std::string ckpt_dir = home.path + "/exp/ckpt";
  FaultEnv env;
  int64_t run = 0;
  {
    auto opened = store::Store::open(home.path, "exp", store::OpenMode::kCreate, &env);
    REQUIRE(opened.ok());
    store::Store& store = **opened;
    run = *store.create_run(store::Run{});
    ckpt::CheckpointWriter writer(ckpt_dir, &env);
    // Epochs 0..3, one skip block each, its checkpoint at the block's end; the
    // row of epoch 2's fails.
    for (int64_t epoch = 0; epoch < 4; ++epoch) {
      const std::string name = "e" + std::to_string(epoch) + ".ckpt";
      REQUIRE(
          test::write_floats(writer, test::two_tensor_state(kElems, static_cast<float>(epoch)), name).ok());
      store::CheckpointRow row;
      row.run = run;
      row.epoch = epoch;
      row.seq = 0;
      row.block = "train";
      row.path = "ckpt/" + name;
      const int writes_before = env.calls(Op::kDbWrite);
      if (epoch == 2) env.fail(Op::kDbWrite, 1, err);
      const Status s = store.add_checkpoint(row);
      CHECK(env.calls(Op::kDbWrite) > writes_before);  // the row goes through the seam
      if (epoch == 2) {
        CHECK(env.fired() == 1);  // the fault happened, at the row's write
        CHECK(s.code() == Code::kIo);
        CHECK_THAT(s.message(), Catch::Contains("cannot write"));
      } else {
        INFO(s.to_string());
        CHECK(s.ok());  // and the store goes on after it
      }
      store::EpochRow e;
      e.run = run;
      e.epoch = epoch;
      e.blocks = 1;
      REQUIRE(store.commit_epoch(e, {}).ok());
    }
    CHECK(env.fired() == 1);
  }

  // The store opens (without the seam), with every row but the failed one.
  auto reopened = store::Store::open(home.path, "exp", store::OpenMode::kExisting);
  INFO(reopened.status().to_string());
  REQUIRE(reopened.ok());
  auto rows = (*reopened)->checkpoints(run);
  REQUIRE(rows.ok());
  std::vector<std::string> live;
  for (const auto& r : *rows) live.push_back(r.path);
  CHECK(live == std::vector<std::string>{"ckpt/e0.ckpt", "ckpt/e1.ckpt", "ckpt/e3.ckpt"});
  CHECK(fs::exists(ckpt_dir + "/e2.ckpt"));  // whole, but an orphan

  // Replay restores only from checkpoints with rows: no segment starts right
  // after epoch 2, so nothing ever restores e2.ckpt.
  auto shape = plan::record_shape(**reopened, run);
  REQUIRE(shape.ok());
  CHECK(shape->epochs == 4);
  CHECK(shape->restorable == std::vector<int64_t>{0, 1, 3});
  CHECK(plan::segment_starts(*shape, EpochRange{0, 3}) == std::vector<int64_t>{0, 1, 2});

  // gc collects the orphan and keeps the rest whole.
  REQUIRE(ckpt::collect_garbage(ckpt_dir, live).ok());
  CHECK_FALSE(fs::exists(ckpt_dir + "/e2.ckpt"));
  for (const char* name : {"e0.ckpt", "e1.ckpt", "e3.ckpt"}) {
    INFO(name);
    CHECK(test::verify_floats(ckpt_dir, name).ok());
  }
}

}  // namespace
}  // namespace flor
