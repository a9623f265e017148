// Logs to the store, held in memory while it refuses them (why: log_writer.h).
#include "log_writer.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "warn.h"

namespace flor::rt {
namespace {

constexpr int64_t kMiB = 1 << 20;
constexpr double kFirstDelay = 1;
constexpr double kMaxDelay = 60;

int64_t bytes_of(const store::LogRow& r) {
  return static_cast<int64_t>(sizeof r + r.name.size() + r.value.size() + r.type.size() + r.loc.size() +
                              r.data.size() + r.blob.size());
}

}  // namespace

LogWriter::LogWriter(store::Store* store, int64_t memory_bytes, Env* env, Clock clock)
    : store_(store), memory_bytes_(memory_bytes), blobs_(store->dir(), env), clock_(std::move(clock)) {}

double LogWriter::steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void LogWriter::write_ahead(size_t row, const store::LogRow& r) { blobs_.start(row, r.data.data(), r.data.size(), r.blob); }

void LogWriter::commit(const std::optional<store::EpochRow>& epoch, LogBuffer& logs) {
  // Rows name only files made whole; the commit's fsync of the folder makes their names durable.
  for (auto& [row, key] : blobs_.wait()) logs.set_blob(row, std::move(key));
  if (!epoch && logs.size() == 0) return;
  loss_.total_logs += static_cast<int64_t>(logs.size());
  const bool holding = !held_.empty();
  if (!holding) {
    Status s = store_->commit_epoch(epoch, logs.rows());
    if (s.ok()) {
      logs.clear();
      return;
    }
    refused(s);
  }
  hold(Batch{epoch, logs.take()});
  if (holding && epoch && clock_() >= retry_at_) retry();
}

void LogWriter::back_off() {
  retry_delay_ = retry_delay_ == 0 ? kFirstDelay : std::min(2 * retry_delay_, kMaxDelay);
  retry_at_ = clock_() + retry_delay_;
}

void LogWriter::refused(const Status& s) {
  loss_.cause = s;
  back_off();
  if (warned_refused_) return;
  warned_refused_ = true;
  warnings().warn(
      "flor: warning: cannot store logs: {}; keeping them in memory (up to {} MiB, FLOR_LOG_MEMORY_MB) "
      "and retrying at epoch ends (backing off up to a minute) and at the end",
      s.to_string(), memory_bytes_ / kMiB);
}

void LogWriter::hold(Batch batch) {
  for (const store::LogRow& r : batch.logs) batch.bytes += bytes_of(r);
  if (batch.epoch)
    batch.bytes +=
        static_cast<int64_t>(sizeof *batch.epoch + batch.epoch->rng.size() + batch.epoch->note.size());
  const int64_t epoch = batch.epoch ? batch.epoch->epoch : batch.logs.front().epoch;
  if (held_bytes_ + batch.bytes > memory_bytes_) {
    if (!warned_dropped_) {
      warned_dropped_ = true;
      warnings().warn(
          "flor: warning: more than {} MiB of logs wait for the store: dropping those of epoch {} "
          "(and later ones that do not fit) for good; FLOR_LOG_MEMORY_MB sets the bound",
          memory_bytes_ / kMiB, epoch);
    }
    lose(batch);
    return;
  }
  if (held_.empty()) held_since_ = epoch;
  held_bytes_ += batch.bytes;
  held_.push_back(std::move(batch));
}

void LogWriter::retry() {
  int64_t stored = 0;
  while (!held_.empty()) {
    const Batch& b = held_.front();
    if (Status s = store_->commit_epoch(b.epoch, b.logs); !s.ok()) {
      loss_.cause = s;
      back_off();
      return;
    }
    stored += static_cast<int64_t>(b.logs.size());
    held_bytes_ -= b.bytes;
    held_.pop_front();
  }
  retry_delay_ = 0;
  warnings().warn(
      "flor: note: the store takes writes again: stored the {} log rows held in memory since epoch {}",
      stored, held_since_);
}

void LogWriter::lose(const Batch& batch) {
  loss_.logs += static_cast<int64_t>(batch.logs.size());
  auto covers = [this](int64_t first, int64_t last) {
    if (first < 0) return;
    loss_.first_epoch = loss_.first_epoch < 0 ? first : std::min(loss_.first_epoch, first);
    loss_.last_epoch = std::max(loss_.last_epoch, last);
  };
  for (const store::LogRow& r : batch.logs) covers(r.epoch, r.epoch);
  if (batch.epoch) {
    ++loss_.epoch_rows;
    covers(batch.epoch->epoch, batch.epoch->epoch + batch.epoch->iters - 1);
  }
}

std::optional<LogWriter::Loss> LogWriter::finish() {
  if (!held_.empty()) retry();
  for (const Batch& b : held_) lose(b);
  held_.clear();
  held_bytes_ = 0;
  if (loss_.logs == 0 && loss_.epoch_rows == 0) return std::nullopt;
  return loss_;
}

std::string LogWriter::Loss::describe() const {
  std::string out = std::to_string(logs) + " of " + std::to_string(total_logs) + " log rows";
  if (first_epoch >= 0) {
    out += first_epoch == last_epoch
               ? " (epoch " + std::to_string(first_epoch) + ")"
               : " (epochs " + std::to_string(first_epoch) + "-" + std::to_string(last_epoch) + ")";
  }
  if (epoch_rows > 0)
    out += " and " + std::to_string(epoch_rows) + " epoch row" + (epoch_rows == 1 ? "" : "s");
  return out;
}

}  // namespace flor::rt
