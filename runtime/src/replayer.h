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

#include "objstore/s3.h"
#include "plan/plan.h"
#include "state_set.h"
#include "store/contract.h"
#include "store/restores.h"
#include "store/store.h"

namespace flor::rt {

class Replayer {
 public:
  // Loads what the record left: epochs, checkpoints, logs.
  static Result<std::unique_ptr<Replayer>> open(store::Store* store, int64_t run, int64_t record,
                                                const Contract& contract);

  // The main loop `name` begins: restores the checkpoint before this segment
  // (weak init; falling back to earlier ones when one is corrupt) and returns
  // the first epoch to run and one past the last. A step loop that is known
  // not to be probed (FLOR_PROBE_COMPLETE without its name) is skipped whole:
  // its loop-end checkpoint is restored and no epoch runs.
  Result<std::pair<int64_t, int64_t>> main_begin(const std::string& name, StateSet& state);
  // Whether the record's main loop `name` was a step loop (plan::RecordShape).
  bool is_step_loop(const std::string& name) const {
    return !shape_.step_loop.empty() && shape_.step_loop == name;
  }
  // Once, after main_begin skipped the loop: the row for this segment's epochs.
  std::optional<store::EpochRow> skipped_loop_row();
  void epoch_begin(int64_t epoch);
  // True when block (epoch, seq) is skipped: its state and `locals` were restored.
  bool block_enter(int64_t epoch, int64_t seq, const std::string& name, StateSet& state, detail::LocalsView locals);
  // A logged value: compared (existing statement) or kept as hindsight.
  // Returns false when the row is not to be stored.
  bool on_log(store::LogRow& row, bool after_main);
  // The row of the epoch that ended. A step loop's rows follow the record's
  // periods: nullopt until the epoch that ends a recorded period (or the
  // segment); the row then covers the epochs since the last one.
  std::optional<store::EpochRow> epoch_end(int64_t epoch);
  // Step loops: whether a row has epochs not yet returned; period_left returns
  // that row (the loop ended before its period did).
  bool row_open() const { return row_first_ >= 0; }
  std::optional<store::EpochRow> period_left();

  int64_t divergences() const { return divergences_; }
  const std::optional<store::Divergence>& first_divergence() const { return first_; }
  const plan::SegmentPlan& segment() const { return plan_; }
  InitMode init() const { return init_; }  // as asked, else as the record needs (plan::init_mode)
  const plan::RecordShape& record_shape() const { return shape_; }
  int64_t record_epochs() const { return shape_.epochs; }

 private:
  Replayer(store::Store* store, int64_t run, int64_t record, Contract contract)
      : store_(store), run_(run), record_(record), contract_(std::move(contract)) {}
  Status load();
  bool probed(const std::string& name) const;
  const store::CheckpointRow* checkpoint(int64_t epoch, int64_t seq) const;  // nullptr: none
  enum class InRow { kYes, kNo };  // whether an epoch row of this run counts the restore (as skipped)
  // Restores `c` (checking that its manifest names it); on failure warns,
  // saying what happens `instead`, and records the refusal. True when restored.
  bool restore(const store::CheckpointRow& c, StateSet& state, detail::LocalsView locals,
               const std::string& instead, InRow in_row);
  // Warns that `c` cannot be restored (`why`), saying what happens `instead`,
  // and records the refusal for the driver.
  void refuse(const store::CheckpointRow& c, const Status& why, const std::string& instead);
  void save_restores();
  void compare(const store::LogRow& row);

  store::Store* store_;
  int64_t run_;
  int64_t record_;
  Contract contract_;
  std::unique_ptr<objstore::S3Client> remote_;  // FLOR_CKPT_URL: where missing checkpoint files come from
  plan::RecordShape shape_;
  InitMode init_ = InitMode::kWeak;
  plan::SegmentPlan plan_;
  bool said_skip_output_ = false;  // the note that skipped blocks do not repeat their output, once
  bool stopped_early_ = false;  // the record is not complete: it never left its main loop normally
  std::map<std::pair<int64_t, int64_t>, store::CheckpointRow> checkpoints_;  // (epoch, seq) -> its row
  store::Restores restores_;  // what the driver learns: refusals, restores outside epoch rows
  std::map<int64_t, std::string> epoch_rng_;                         // epoch -> generator state at its start
  using LogKey = std::tuple<int64_t, int64_t, std::string>;          // epoch, step, name
  bool same_value(const store::LogRow& recorded, const store::LogRow& row, std::string* replayed) const;
  std::map<LogKey, std::vector<store::LogRow>> recorded_;  // value, payload (data or blob key)
  std::map<LogKey, size_t> seen_;
  std::set<std::string> recorded_names_;

  std::set<int64_t> period_starts_;  // step loops: the first epoch of each recorded row
  bool step_ = false;                // the main loop running is the record's step loop
  int64_t row_first_ = -1;           // step loops: first epoch of the row being gathered
  int64_t row_last_ = -1;
  std::string skipped_from_;         // the loop-end checkpoint a skipped step loop was restored from
  bool skipped_row_given_ = false;
  store::EpochRow make_row(int64_t first, int64_t last);

  int64_t epoch_skipped_ = 0, epoch_executed_ = 0, epoch_divergences_ = 0, epoch_blocks_ = 0;
  int64_t divergences_ = 0;
  std::optional<store::Divergence> first_;
  int stored_divergences_ = 0;
};

}  // namespace flor::rt
