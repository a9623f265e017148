// Replay mode: plans this worker's segment, restores state where the main
// loop starts (weak init), skips blocks that have a checkpoint (restoring
// their state) unless probed, and compares every log that existed at record
// time with its recorded value (docs/replay.md). New logs are kept as
// hindsight logs of the recorded run.
//
// Not thread-safe: the training thread calls it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "plan/plan.h"
#include "state_set.h"
#include "store/contract.h"
#include "store/store.h"

namespace flor::rt {

class Replayer {
 public:
  // Loads what the record left: epochs, checkpoints, logs.
  static Result<std::unique_ptr<Replayer>> open(store::Store* store, int64_t run, int64_t record,
                                                const Contract& contract);

  // The main loop begins: restores the checkpoint before this segment (weak
  // init; falling back to earlier ones when one is corrupt) and returns the
  // first epoch to run and one past the last.
  Result<std::pair<int64_t, int64_t>> main_begin(StateSet& state);
  void epoch_begin(int64_t epoch);
  // True when block (epoch, seq) is skipped: its state and `locals` were restored.
  bool block_enter(int64_t epoch, int64_t seq, const std::string& name, StateSet& state, detail::LocalsView locals);
  // A logged value: compared (existing statement) or kept as hindsight.
  // Returns false when the row is not to be stored.
  bool on_log(store::LogRow& row, bool after_main);
  store::EpochRow epoch_end(int64_t epoch);

  int64_t divergences() const { return divergences_; }
  const std::optional<store::Divergence>& first_divergence() const { return first_; }
  const plan::SegmentPlan& segment() const { return plan_; }
  int64_t record_epochs() const { return shape_.epochs; }

 private:
  Replayer(store::Store* store, int64_t run, int64_t record, Contract contract)
      : store_(store), run_(run), record_(record), contract_(std::move(contract)) {}
  Status load();
  bool probed(const std::string& name) const;
  std::string checkpoint_path(int64_t epoch, int64_t seq) const;
  void compare(const store::LogRow& row);

  store::Store* store_;
  int64_t run_;
  int64_t record_;
  Contract contract_;
  plan::RecordShape shape_;
  plan::SegmentPlan plan_;
  std::map<std::pair<int64_t, int64_t>, std::string> checkpoints_;  // (epoch, seq) -> relative path
  std::map<int64_t, std::string> epoch_rng_;                         // epoch -> generator state at its start
  using LogKey = std::tuple<int64_t, int64_t, std::string>;          // epoch, step, name
  std::map<LogKey, std::vector<std::string>> recorded_;
  std::map<LogKey, size_t> seen_;
  std::set<std::string> recorded_names_;

  int64_t epoch_skipped_ = 0, epoch_executed_ = 0, epoch_divergences_ = 0, epoch_blocks_ = 0;
  int64_t divergences_ = 0;
  std::optional<store::Divergence> first_;
  int stored_divergences_ = 0;
};

}  // namespace flor::rt
