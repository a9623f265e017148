#include <catch2/catch.hpp>

#include <numeric>

#include "common/temp_dir.h"
#include "plan/plan.h"
#include "plan/record_shape.h"

namespace flor::plan {
namespace {

RecordShape dense(int64_t epochs) {
  RecordShape s{epochs, {}};
  for (int64_t e = 0; e < epochs; ++e) s.restorable.push_back(e);
  return s;
}

// Every epoch of [first, last] is produced by exactly one segment, in order.
void check_partition(const std::vector<SegmentPlan>& plans, int64_t first, int64_t last) {
  int64_t next = first;
  for (const SegmentPlan& p : plans) {
    CHECK(p.first == next);
    CHECK(p.last >= p.first);
    CHECK(p.start <= p.first);
    next = p.last + 1;
  }
  CHECK(next == last + 1);
}

TEST_CASE("plan: dense checkpoints give balanced contiguous segments", "[plan]") {
  for (int n = 1; n <= 10; ++n) {
    auto plans = plan_segments(dense(10), n, InitMode::kWeak);
    REQUIRE(plans.ok());
    REQUIRE(plans->size() == static_cast<size_t>(n));
    check_partition(*plans, 0, 9);
    int64_t lo = 100, hi = 0;
    for (const auto& p : *plans) {
      lo = std::min(lo, p.last - p.first + 1);
      hi = std::max(hi, p.last - p.first + 1);
      // Weak init restores the checkpoint just before the segment.
      CHECK(p.start == p.first);
      CHECK(p.restore_after == (p.first == 0 ? std::nullopt : std::optional<int64_t>(p.first - 1)));
    }
    CHECK(hi - lo <= 1);
  }
  auto three = plan_segments(dense(10), 3, InitMode::kWeak);
  CHECK(three->at(1).first == 3);
  CHECK(three->at(2).first == 7);
}

TEST_CASE("plan: sparse checkpoints align segment starts and cap N", "[plan]") {
  RecordShape sparse{10, {2, 6}};  // segments may start at 0, 3, 7
  CHECK(max_segments(sparse) == 3);
  auto plans = plan_segments(sparse, 2, InitMode::kWeak);
  REQUIRE(plans.ok());
  check_partition(*plans, 0, 9);
  CHECK(plans->at(1).first == 3);  // nearest start to 5 is 3 (7 is as far; the earlier wins)
  CHECK(plans->at(1).restore_after == 2);

  auto too_many = plan_segments(sparse, 4, InitMode::kWeak);
  REQUIRE_FALSE(too_many.ok());
  CHECK(too_many.status().code() == Code::kInvalidArgument);
  CHECK_THAT(too_many.status().message(), Catch::Contains("at most 3 workers"));

  RecordShape none{5, {}};
  CHECK(max_segments(none) == 1);
  auto one = plan_segment(none, Segment{1, 1}, InitMode::kWeak);
  REQUIRE(one.ok());
  CHECK(one->start == 0);
  CHECK_FALSE(one->restore_after.has_value());
  CHECK(one->last == 4);
}

TEST_CASE("plan: strong init starts every segment from epoch 0", "[plan]") {
  auto plans = plan_segments(dense(6), 3, InitMode::kStrong);
  REQUIRE(plans.ok());
  check_partition(*plans, 0, 5);
  for (const auto& p : *plans) {
    CHECK(p.start == 0);
    CHECK_FALSE(p.restore_after.has_value());
  }
}

TEST_CASE("plan: a record that names carried state replays with strong init unless asked", "[plan]") {
  RecordShape plain = dense(4);
  RecordShape carried = dense(4);
  carried.carried_state = {"scheduler"};
  CHECK(init_mode(plain, std::nullopt) == InitMode::kWeak);
  CHECK(init_mode(carried, std::nullopt) == InitMode::kStrong);
  CHECK(init_mode(carried, InitMode::kWeak) == InitMode::kWeak);
  CHECK(init_mode(plain, InitMode::kStrong) == InitMode::kStrong);
}

TEST_CASE("plan: an epoch range restricts the segments", "[plan]") {
  auto plans = plan_segments(dense(20), 2, InitMode::kWeak, EpochRange{10, 13});
  REQUIRE(plans.ok());
  check_partition(*plans, 10, 13);
  CHECK(plans->at(0).restore_after == 9);
  // A range that starts between sparse checkpoints catches up from the one before.
  auto sparse = plan_segment(RecordShape{20, {4, 14}}, Segment{1, 1}, InitMode::kWeak, EpochRange{9, 9});
  REQUIRE(sparse.ok());
  CHECK(sparse->first == 9);
  CHECK(sparse->start == 5);
  CHECK(sparse->restore_after == 4);
  CHECK(plan_segments(dense(20), 1, InitMode::kWeak, EpochRange{15, 25}).status().code() ==
        Code::kInvalidArgument);
}

TEST_CASE("plan: bad requests get clear errors", "[plan]") {
  CHECK(plan_segments(RecordShape{}, 1, InitMode::kWeak).status().code() == Code::kFailedPrecondition);
  CHECK(plan_segments(dense(3), 0, InitMode::kWeak).status().code() == Code::kInvalidArgument);
  CHECK(plan_segment(dense(3), Segment{4, 3}, InitMode::kWeak).status().code() == Code::kInvalidArgument);
  auto too_many = plan_segments(dense(3), 5, InitMode::kWeak);
  CHECK_THAT(too_many.status().message(), Catch::Contains("at most 3"));
}

TEST_CASE("plan: the record's shape comes from its epoch and checkpoint rows", "[plan]") {
  test::TempDir home;
  {
    auto store = store::Store::open(home.path, "exp");
    REQUIRE(store.ok());
    int64_t run = *(*store)->create_run(store::Run{});
    // Epochs 0-3 finished with 2 blocks each; epoch 5 without 4 (a gap) does not count.
    for (int64_t e : {0, 1, 2, 3, 5}) {
      store::EpochRow row;
      row.run = run;
      row.epoch = e;
      row.blocks = 2;
      REQUIRE((*store)->commit_epoch(row, {}).ok());
    }
    auto ckpt = [&](int64_t epoch, int64_t seq) {
      store::CheckpointRow c;
      c.run = run;
      c.epoch = epoch;
      c.seq = seq;
      REQUIRE((*store)->add_checkpoint(c).ok());
    };
    ckpt(0, 1);  // last block: restorable
    ckpt(1, 0);  // first block only: not restorable
    ckpt(2, 0);
    ckpt(2, 1);
    auto shape = record_shape(**store, run);
    REQUIRE(shape.ok());
    CHECK(shape->epochs == 4);
    CHECK(shape->restorable == std::vector<int64_t>{0, 2});
    CHECK(shape->carried_state.empty());
    store::RunInfo info;
    info.carried_state = std::vector<std::string>{"scheduler", "best"};
    REQUIRE((*store)->set_run_info(run, info).ok());
    shape = record_shape(**store, run);
    REQUIRE(shape.ok());
    CHECK(shape->carried_state == std::vector<std::string>{"scheduler", "best"});
  }
}

TEST_CASE("plan: a step loop's rows cover periods; its checkpoints end iterations", "[plan]") {
  test::TempDir home;
  auto store = store::Store::open(home.path, "exp");
  REQUIRE(store.ok());
  store::Run r;
  r.info.step_loop = "step";
  int64_t run = *(*store)->create_run(r);
  // Periods 0, 1-2, 3-6, 7-14: 15 epochs.
  for (auto [first, n] : std::vector<std::pair<int64_t, int64_t>>{{0, 1}, {1, 2}, {3, 4}, {7, 8}}) {
    store::EpochRow row;
    row.run = run;
    row.epoch = first;
    row.iters = n;
    REQUIRE((*store)->commit_epoch(row, {}).ok());
  }
  for (int64_t e : {6, 14, 20}) {  // 20: beyond the finished epochs
    store::CheckpointRow c;
    c.run = run;
    c.epoch = e;
    c.seq = store::kEndOfIteration;
    REQUIRE((*store)->add_checkpoint(c).ok());
  }
  auto shape = record_shape(**store, run);
  REQUIRE(shape.ok());
  CHECK(shape->epochs == 15);
  CHECK(shape->restorable == std::vector<int64_t>{6, 14});
  CHECK(shape->step_loop == "step");
  // Two segments split on the checkpoint at 6; --epochs 8-12 starts after it.
  auto plans = plan_segments(*shape, 2, InitMode::kWeak);
  REQUIRE(plans.ok());
  CHECK(plans->at(1).first == 7);
  CHECK(plans->at(1).restore_after == 6);
  auto ranged = plan_segment(*shape, Segment{1, 1}, InitMode::kWeak, EpochRange{8, 12});
  REQUIRE(ranged.ok());
  CHECK(ranged->first == 8);
  CHECK(ranged->start == 7);
  CHECK(ranged->restore_after == 6);
}

}  // namespace
}  // namespace flor::plan
