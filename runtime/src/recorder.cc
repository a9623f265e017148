#include "recorder.h"

#include "warn.h"

#include <algorithm>
#include <cstdio>

#include "rng.h"

namespace flor::rt {
namespace {

double seconds_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

std::string checkpoint_name(int64_t run, int64_t epoch, int64_t seq) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "r%lld-e%05lld-b%lld.ckpt", static_cast<long long>(run),
                static_cast<long long>(epoch), static_cast<long long>(seq));
  return buf;
}

}  // namespace

Recorder::Recorder(store::Store* store, int64_t run, double eps)
    : store_(store), run_(run), policy_(eps), engine_(std::make_unique<CheckpointEngine>(store->dir() + "/ckpt")) {}

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
  if (state.empty() && locals.empty()) return;

  std::vector<StateItem> items = state.capture_items(locals);
  int64_t bytes = 0;
  for (const auto& item : items) bytes += static_cast<int64_t>(item.tensor.nbytes());
  const double compute = seconds_between(main_start_, now) - stall_total_;
  CheckpointPolicy::Decision d = policy_.decide(compute, bytes);
  notes_ += (notes_.empty() ? "" : "; ") + block + "#" + std::to_string(seq) + ": " + d.reason;
  if (!d.take) return;

  const std::string name = checkpoint_name(run_, epoch, seq);
  auto stall = engine_->capture(items, name, [this, name](const WriteReport& r) {
    std::lock_guard<std::mutex> lock(finished_mu_);
    finished_.push_back({name, r});
  });
  if (!stall.ok()) {
    if (!warned_) warnings().warn("flor: warning: checkpoint {} not taken: {} (training goes on)", name, stall.status().to_string());
    warned_ = true;
    return;
  }
  stall_total_ += *stall;
  policy_.on_capture(*stall);
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

void Recorder::finish() {
  engine_->wait();
  drain();
}

void Recorder::drain() {
  std::vector<Finished> done;
  {
    std::lock_guard<std::mutex> lock(finished_mu_);
    done.swap(finished_);
  }
  for (Finished& f : done) {
    auto it = std::find_if(pending_.begin(), pending_.end(),
                           [&](const store::CheckpointRow& r) { return r.path == "ckpt/" + f.name; });
    if (it == pending_.end()) continue;
    store::CheckpointRow row = std::move(*it);
    pending_.erase(it);
    write_during_block_ = f.report.write_seconds;
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
    if (Status s = store_->add_checkpoint(row); !s.ok() && !warned_) {
      warnings().warn("flor: warning: cannot store checkpoint row: {}", s.to_string());
      warned_ = true;
    }
  }
}

}  // namespace flor::rt
