// Record mode: checkpoints at the end of skip blocks as the policy allows
// (through the checkpoint engine's background writer), and one epoch row per
// epoch (time, generator state at its start, the policy's decisions).
// A checkpoint's row reaches the store only after its file is durable.
//
// Not thread-safe: the training thread calls it; the engine's writer thread
// only hands finished writes over (under a mutex).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ckpt/engine.h"
#include "policy.h"
#include "state_set.h"
#include "store/store.h"
#include "uploader.h"

namespace flor::rt {

class Recorder {
 public:
  // uploader: FLOR_CKPT_URL's background copier, or nullptr (checkpoints stay local).
  // settle_logs: waits for the log rows in flight (LogWriter::settle), so
  // that a checkpoint's row lands after the epoch rows sent before it.
  Recorder(store::Store* store, int64_t run, double eps, std::unique_ptr<Uploader> uploader,
           std::function<void()> settle_logs);

  // The main loop starts: the staging arena is faulted in for the registered
  // state on the writer thread now, not in the first checkpoint's stall.
  void main_begin(StateSet& state);
  void epoch_begin(int64_t epoch);
  void block_begin();
  // Decides and, when the policy allows, captures `state` and the block's
  // `locals` (its stall is the only time the training loop waits). A block
  // with neither registered state nor locals is not checkpointed.
  void block_end(int64_t epoch, int64_t seq, const std::string& block, StateSet& state, detail::LocalsView locals);
  // The row for the epoch that just ended (the caller commits it with the logs).
  store::EpochRow epoch_end(int64_t epoch, int64_t blocks);

  // Step loops (periods.h): epoch_begin is called at a period's first
  // iteration. period_end decides, as block_end does, whether to checkpoint
  // `state` at the end of iteration `last` (an end-of-iteration checkpoint,
  // store::kEndOfIteration, of block `loop`) and returns the period's row,
  // epochs first..last.
  // kNoCheckpoint: the loop was left by an exception (its state is unknown).
  enum class AtEnd { kMayCheckpoint, kNoCheckpoint };
  store::EpochRow period_end(int64_t first, int64_t last, const std::string& loop, StateSet& state, AtEnd at_end);
  // The step loop ended cleanly after iteration `last`: checkpoints `state`
  // there whatever the budget (once a run: replay skips the whole loop from
  // it), unless the last period end already did.
  void loop_end(int64_t last, const std::string& loop, StateSet& state);
  // Waits for the pending write and stores the rows of finished ones; with an
  // uploader, waits (at most `upload_wait_s`, a progress line every 5 s) for
  // the uploads, and warns about checkpoints that stay local.
  void finish(double upload_wait_s = 600);

  int64_t checkpoints_taken() const { return taken_; }

 private:
  using Clock = std::chrono::steady_clock;
  void drain();  // stores rows of finished writes; measures their time
  void drain_uploads();  // stores the locations of finished uploads
  void set_location(const store::CheckpointRow& row, const char* location);
  // The reason of a checkpoint skipped for a full upload backlog; counts it, warns the first time.
  std::string backlog_skip();
  // kPolicyIfIdle: as kPolicy, but not while the previous write still runs:
  // waiting for it would stall the loop for as long as the write takes, which
  // other processes' load stretches (the writer runs at nice 10) and a step
  // loop's periods can outpace; the next block or period end tries again. With
  // eps 1, every one still waits and takes one.
  enum class Budget { kPolicy, kPolicyIfIdle, kAlways };
  // Decides (kPolicy) and captures `state` (and a block's `locals`) as
  // checkpoint (epoch, seq); true when taken.
  bool checkpoint(int64_t epoch, int64_t seq, const std::string& block, StateSet& state, Budget budget,
                  Clock::time_point now, detail::LocalsView locals = {});

  struct Finished {
    std::string name;
    WriteReport report;
  };

  store::Store* store_;
  int64_t run_;
  CheckpointPolicy policy_;
  std::unique_ptr<CheckpointEngine> engine_;
  std::unique_ptr<Uploader> uploader_;
  std::function<void()> settle_logs_;
  bool upload_warned_ = false;
  bool retry_noted_ = false;
  int64_t backlog_skips_ = 0;  // checkpoint chances skipped for a full upload backlog
  std::vector<store::CheckpointRow> pending_;  // captured, not yet durable
  std::mutex finished_mu_;
  std::vector<Finished> finished_;  // filled by the writer thread
  bool warned_ = false;
  int64_t taken_ = 0;
  int64_t last_end_of_iteration_ = -1;  // step loops: the iteration of the newest end-of-iteration checkpoint

  Clock::time_point main_start_{};
  bool started_ = false;
  double stall_total_ = 0;
  Clock::time_point epoch_start_{};
  Clock::time_point block_start_{};
  double write_during_block_ = 0;  // seconds of the write that began at the previous block's end
  std::string epoch_rng_;
  std::string notes_;
};

}  // namespace flor::rt
