#include "recorder.h"

#include "warn.h"

#include <algorithm>
#include <cstdio>

#include "rng.h"
#include "test_fault.h"

namespace flor::rt {
namespace {

double seconds_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

int64_t bytes_of(const std::vector<StateItem>& items) {
  int64_t bytes = 0;
  for (const auto& item : items) bytes += static_cast<int64_t>(item.tensor.nbytes());
  return bytes;
}

// 3f9a2c1d-r1-e00003-b0.ckpt: after block 0 of epoch 3 of run 1 of store 3f9a2c1d;
// 3f9a2c1d-r1-e00003.ckpt: at the end of iteration 3. The store id keeps a store
// created again in the same folder from reusing an old file's name.
std::string checkpoint_name(const std::string& store_id, int64_t run, int64_t epoch, int64_t seq) {
  char buf[96];
  if (seq == store::kEndOfIteration) {
    std::snprintf(buf, sizeof(buf), "%s-r%lld-e%05lld.ckpt", store_id.c_str(), static_cast<long long>(run),
                  static_cast<long long>(epoch));
  } else {
    std::snprintf(buf, sizeof(buf), "%s-r%lld-e%05lld-b%lld.ckpt", store_id.c_str(), static_cast<long long>(run),
                  static_cast<long long>(epoch), static_cast<long long>(seq));
  }
  return buf;
}

}  // namespace

Recorder::Recorder(store::Store* store, int64_t run, double eps, std::unique_ptr<Uploader> uploader,
                   std::function<void()> settle_logs)
    : store_(store),
      run_(run),
      policy_(eps),
      engine_(std::make_unique<CheckpointEngine>(store->dir() + "/ckpt")),
      uploader_(std::move(uploader)),
      settle_logs_(std::move(settle_logs)) {}

void Recorder::main_begin(StateSet& state) {
  if (state.empty()) return;
  const std::vector<StateItem> items = state.capture_items();
  engine_->prepare(bytes_of(items), has_device_state(items));
}

void Recorder::epoch_begin(int64_t /*epoch*/) {
  epoch_start_ = Clock::now();
  if (!started_) {
    main_start_ = epoch_start_;
    started_ = true;
  }
  epoch_rng_ = cpu_rng_bytes();
  notes_.clear();
}

void Recorder::block_begin() {
  drain();
  block_start_ = Clock::now();
}

void Recorder::block_end(int64_t epoch, int64_t seq, const std::string& block, StateSet& state,
                         detail::LocalsView locals) {
  const auto now = Clock::now();
  drain();
  policy_.on_block(seconds_between(block_start_, now), write_during_block_);
  write_during_block_ = 0;
  checkpoint(epoch, seq, block, state, Budget::kPolicyIfIdle, now, locals);
}

bool Recorder::checkpoint(int64_t epoch, int64_t seq, const std::string& block, StateSet& state, Budget budget,
                          Clock::time_point now, detail::LocalsView locals) {
  if (state.empty() && locals.empty()) return false;
  std::vector<StateItem> items = state.capture_items(locals);
  const int64_t bytes = bytes_of(items);
  CheckpointPolicy::Decision d;
  if (budget == Budget::kAlways) {
    d.take = true;
    d.reason = "loop end";
  } else if (budget == Budget::kPolicyIfIdle && policy_.eps() < 1 && engine_->busy()) {  // eps 1: every one
    d.reason = "the previous checkpoint is still being written";
  } else if (uploader_ && uploader_->full()) {
    d.reason = backlog_skip();
  } else {
    const double compute = seconds_between(main_start_, now) - stall_total_;
    d = policy_.decide(compute, bytes);
  }
  const std::string where = seq == store::kEndOfIteration ? block + "@" + std::to_string(epoch)
                                                          : block + "#" + std::to_string(seq);
  notes_ += (notes_.empty() ? "" : "; ") + where + ": " + d.reason;
  if (!d.take) return false;

  const std::string name = checkpoint_name(store_->id(), run_, epoch, seq);
  auto stall = engine_->capture(
      items, name,
      [this, name](const WriteReport& r) {
        std::lock_guard<std::mutex> lock(finished_mu_);
        finished_.push_back({name, r});
      },
      CheckpointOrigin{run_, epoch, seq, block});
  if (!stall.ok()) {
    if (!warned_) warnings().warn("flor: warning: checkpoint {} not taken: {} (training goes on)", name, stall.status().to_string());
    warned_ = true;
    return false;
  }
  stall_total_ += *stall;
  // Growing the staging arena (fresh memory, first touch) happens once, or when
  // the state grows (optimizer state created by the first step): a one-time
  // set-up, not what the next checkpoints will cost, so the policy is not
  // charged for it.
  const double setup = std::min(*stall, engine_->last_setup_seconds());
  policy_.on_capture(*stall - setup);
  if (setup > 0) {
    char buf[96];
    std::snprintf(buf, sizeof buf, " (staging set-up %.4fs, one-time: not charged)", setup);
    notes_ += buf;
  }
  store::CheckpointRow row;
  row.run = run_;
  row.epoch = epoch;
  row.seq = seq;
  row.block = block;
  row.path = "ckpt/" + name;
  row.state_bytes = bytes;
  row.stall_s = *stall;
  row.reason = d.reason;
  pending_.push_back(std::move(row));
  ++taken_;
  return true;
}

store::EpochRow Recorder::period_end(int64_t first, int64_t last, const std::string& loop, StateSet& state,
                                     AtEnd at_end) {
  const auto now = Clock::now();
  drain();
  const double seconds = seconds_between(epoch_start_, now);
  policy_.on_block(seconds, write_during_block_, last - first + 1);
  write_during_block_ = 0;
  // The row first: a checkpoint row never names an iteration without one.
  store::EpochRow row;
  row.run = run_;
  row.epoch = first;
  row.iters = last - first + 1;
  row.seconds = seconds;
  row.rng = std::move(epoch_rng_);
  if (at_end == AtEnd::kMayCheckpoint &&
      checkpoint(last, store::kEndOfIteration, loop, state, Budget::kPolicyIfIdle, now)) {
    last_end_of_iteration_ = last;
  }
  row.note = "steps " + std::to_string(first) + "-" + std::to_string(last) + (notes_.empty() ? "" : ": " + notes_);
  return row;
}

void Recorder::loop_end(int64_t last, const std::string& loop, StateSet& state) {
  if (last < 0 || last == last_end_of_iteration_) return;
  drain();
  if (checkpoint(last, store::kEndOfIteration, loop, state, Budget::kAlways, Clock::now())) {
    last_end_of_iteration_ = last;
  }
}

store::EpochRow Recorder::epoch_end(int64_t epoch, int64_t blocks) {
  drain();
  store::EpochRow row;
  row.run = run_;
  row.epoch = epoch;
  row.seconds = seconds_between(epoch_start_, Clock::now());
  row.blocks = blocks;
  row.executed = blocks;
  row.rng = std::move(epoch_rng_);
  row.note = notes_.empty() ? "no skip block" : notes_;
  return row;
}

void Recorder::finish(double upload_wait_s) {
  engine_->wait();
  drain();
  if (!uploader_) return;
  const bool drained = uploader_->drain(upload_wait_s, [&](int64_t bytes, int64_t jobs) {
    warnings().info("flor: uploading checkpoints to {}: {} MiB in {} checkpoint(s) left", uploader_->url(),
                    bytes >> 20, jobs);
  });
  drain_uploads();
  if (backlog_skips_ > 0) {
    warnings().info("flor: {} checkpoint(s) skipped while the upload backlog to {} was full", backlog_skips_,
                    uploader_->url());
  }
  if (!drained) {
    warnings().warn("flor: warning: checkpoints not uploaded to {} after {:.0f}s: they stay local (rows 'uploading')",
                    uploader_->url(), upload_wait_s);
  }
  uploader_.reset();
}

std::string Recorder::backlog_skip() {
  const int64_t mib = uploader_->backlog_bytes() >> 20;
  if (backlog_skips_++ == 0) {
    warnings().warn("flor: warning: the upload backlog to {} is full ({} MiB waiting, FLOR_CKPT_BACKLOG_MB={}): "
                    "checkpoints are skipped until it drains (each epoch's note says so; training goes on)",
                    uploader_->url(), mib, uploader_->backlog_limit_bytes() >> 20);
  }
  return "skipped: the object store's upload backlog is full (" + std::to_string(mib) +
         " MiB waiting, FLOR_CKPT_BACKLOG_MB)";
}

void Recorder::set_location(const store::CheckpointRow& row, const char* location) {
  if (Status s = store_->set_checkpoint_location(row.run, row.epoch, row.seq, location); !s.ok() && !warned_) {
    warnings().warn("flor: warning: cannot store checkpoint location: {}", s.to_string());
    warned_ = true;
  }
}

void Recorder::drain_uploads() {
  if (!uploader_) return;
  for (const UploadDone& d : uploader_->take_done()) {
    store::CheckpointRow row;
    row.run = d.job.run;
    row.epoch = d.job.epoch;
    row.seq = d.job.seq;
    if (d.status.ok()) {
      set_location(row, store::CheckpointRow::kRemote);
      if (d.job.tries > 1 && !retry_noted_) {
        warnings().info("flor: uploads to {} work again: checkpoint {} uploaded on try {}", uploader_->url(),
                        d.job.rel, d.job.tries);
        retry_noted_ = true;
      }
      continue;
    }
    // Never 'remote' for bytes that may not be there: local until an upload succeeds.
    set_location(row, store::CheckpointRow::kLocal);
    if (!upload_warned_) {
      warnings().warn("flor: warning: cannot upload checkpoint {} to {}: {} (training goes on; it stays local{})",
                      d.job.rel, uploader_->url(), d.status.to_string(),
                      d.retry ? ", and failed uploads are tried again later" : "");
      upload_warned_ = true;
    }
  }
}

void Recorder::drain() {
  std::vector<Finished> done;
  {
    std::lock_guard<std::mutex> lock(finished_mu_);
    done.swap(finished_);
  }
  if (!done.empty()) settle_logs_();
  for (Finished& f : done) {
    auto it = std::find_if(pending_.begin(), pending_.end(),
                           [&](const store::CheckpointRow& r) { return r.path == "ckpt/" + f.name; });
    if (it == pending_.end()) continue;
    store::CheckpointRow row = std::move(*it);
    pending_.erase(it);
    // The write's CPU time, not its wall time, bounds the interference charged:
    // other processes' load slows the write's wall clock, not what it took.
    // Device copies run on the GPU's copy engine, and the training stream waits
    // for them before its next kernel: their time may slow the block as well.
    write_during_block_ = (f.report.write_cpu_seconds > 0 ? f.report.write_cpu_seconds : f.report.write_seconds) +
                          (f.report.device_copies ? f.report.copy_seconds : 0);
    if (!f.report.status.ok()) {
      if (!warned_) {
        warnings().warn("flor: warning: checkpoint write failed: {} (training goes on; later checkpoints are still tried)",
                     f.report.status.to_string());
      }
      warned_ = true;
      continue;
    }
    row.bytes = f.report.bytes_written;
    row.write_s = f.report.write_seconds;
    Status s;
    run_stage(TestFault::Stage::kRow, [&] { s = store_->add_checkpoint(row); });
    if (!s.ok() && !warned_) {
      warnings().warn("flor: warning: cannot store checkpoint row: {}", s.to_string());
      warned_ = true;
    }
    if (s.ok() && uploader_) {
      set_location(row, store::CheckpointRow::kUploading);
      uploader_->enqueue({row.run, row.epoch, row.seq, row.path, 0});
    }
  }
  drain_uploads();
}

}  // namespace flor::rt
