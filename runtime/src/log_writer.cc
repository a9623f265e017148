// Logs to the store, held in memory while it refuses them (why: log_writer.h).
#include "log_writer.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <system_error>
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

// A batch was sent and is not stored yet (the process's one LogWriter; read
// by a signal handler, so lock-free).
std::atomic<bool> in_flight{false};
static_assert(std::atomic<bool>::is_always_lock_free);

constexpr int kDeadlySignals[] = {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTERM, SIGINT, SIGHUP, SIGQUIT};
constexpr int kWaitOnDeathMs = 2000;

// The process dies of `sig`: first the batch in flight lands (up to 2 s).
// Installed with SA_RESETHAND | SA_NODEFER: raise() then takes the default
// action at once. Only async-signal-safe calls.
extern "C" void store_then_die(int sig) {
  for (int ms = 0; ms < kWaitOnDeathMs && in_flight.load(); ++ms) {
    const timespec one_ms{0, 1000000};
    nanosleep(&one_ms, nullptr);
  }
  raise(sig);
}

// For each deadly signal whose action is the default (a program's own
// handler is left alone: it runs its exit path, which ends the run).
void wait_on_deadly_signals() {
  for (int sig : kDeadlySignals) {
    struct sigaction old {};
    if (sigaction(sig, nullptr, &old) != 0 || (old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL)
      continue;
    struct sigaction sa {};
    sa.sa_handler = store_then_die;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND | SA_NODEFER;
    sigaction(sig, &sa, nullptr);
  }
}

}  // namespace

LogWriter::LogWriter(store::Store* store, int64_t memory_bytes, Env* env, Clock clock)
    : store_(store), memory_bytes_(memory_bytes), blobs_(store->dir(), env), clock_(std::move(clock)) {}

LogWriter::~LogWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

double LogWriter::steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void LogWriter::write_ahead(size_t row, const store::LogRow& r) {
  blobs_.start(row, r.data.data(), r.data.size(), r.blob);
}

void LogWriter::commit(const std::optional<store::EpochRow>& epoch, LogBuffer& logs) {
  // Rows name only files made whole; the commit's fsync of the folder makes their names durable.
  for (auto& [row, key] : blobs_.wait()) logs.set_blob(row, std::move(key));
  if (!epoch && logs.size() == 0) return;
  loss_.total_logs += static_cast<int64_t>(logs.size());
  settle();
  const bool holding = !held_.empty();
  if (!holding) {
    send(epoch, logs);
    return;
  }
  hold(Batch{epoch, logs.take()});
  if (epoch && clock_() >= retry_at_) retry();
}

void LogWriter::send(const std::optional<store::EpochRow>& epoch, LogBuffer& logs) {
  flight_.epoch = epoch;
  logs.exchange(flight_.logs);
  if (!thread_.joinable()) {
    try {
      wait_on_deadly_signals();
      thread_ = std::thread([this] { write_in_background(); });
    } catch (const std::system_error&) {  // no thread to be had: stored here, as before
      flight_status_ = store_->commit_epoch(flight_.epoch, flight_.logs);
      sent_ = stored_ = true;
      return;
    }
  }
  in_flight.store(true);
  {
    std::lock_guard<std::mutex> lock(mu_);
    sent_ = true;
  }
  cv_.notify_all();
}

void LogWriter::write_in_background() {
  // Signals sent to the process are the training thread's to take (its
  // handler waits for this thread).
  sigset_t process_signals;
  sigemptyset(&process_signals);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGQUIT}) sigaddset(&process_signals, sig);
  pthread_sigmask(SIG_BLOCK, &process_signals, nullptr);
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_ || (sent_ && !stored_); });
    if (!sent_ || stored_) return;  // stopped, nothing in flight
    lock.unlock();
    Status s = store_->commit_epoch(flight_.epoch, flight_.logs);
    lock.lock();
    flight_status_ = std::move(s);
    stored_ = true;
    in_flight.store(false);
    cv_.notify_all();
  }
}

void LogWriter::settle() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!sent_) return;
  cv_.wait(lock, [this] { return stored_; });
  sent_ = stored_ = false;
  const Status s = std::move(flight_status_);
  flight_status_ = Status();
  lock.unlock();
  if (s.ok()) return;  // the rows stay, for the buffer to reuse
  refused(s);
  hold(std::move(flight_));
  flight_ = Batch{};
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
  settle();
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
