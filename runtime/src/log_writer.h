// Writes a run's logs and epoch rows to the store, in the order they came,
// one transaction per batch (an epoch's logs with its row, or a long epoch's
// 4096 logs), on a thread of its own: the training thread hands a batch over
// and goes on (SQLite's insert of a row, ~0.85 us, was most of a per-step
// flor::log), and the next batch waits for the one before it, so at most one
// is in flight. A process that dies of a signal whose action was the default
// (abort(), a crash, SIGTERM, SIGINT) first waits up to 2 s for the batch in
// flight, so the epochs that ended are stored as when the training thread
// wrote them itself; SIGKILL, _exit, or a store that takes longer than that
// can lose the last batch.
//
// While the store refuses writes (a full disk), batches are held
// in memory, up to a bound (FLOR_LOG_MEMORY_MB), and retried at epoch ends,
// backing off (1 s after a refusal, doubling to a minute: a server that is
// away costs the loop a connection attempt now and then, not every epoch),
// and at the run's end; a batch that does not fit is dropped and counted. It warns once when the store first
// refuses, once when held logs have to be dropped, and says when held logs land. A row's blob file is written
// ahead, in the background (write_ahead, blob_writer.h), and waited for before its batch commits.
//
// Thread-safety: the training thread only (owned by the Runtime); the store
// is shared with the writer's thread (Store is thread-safe).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "blob_writer.h"
#include "log_buffer.h"
#include "store/store.h"

namespace flor::rt {

class LogWriter {
 public:
  // `store` outlives the writer; `memory_bytes`: the most bytes of rows held;
  // `env`: the blob files' (outlives the writer); `clock`: seconds, for the
  // backoff (steady; tests pass their own).
  using Clock = std::function<double()>;
  LogWriter(store::Store* store, int64_t memory_bytes, Env* env = Env::posix(), Clock clock = steady_seconds);
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;
  static double steady_seconds();

  // Starts writing the blob file of pending row `row` of the buffer given to
  // the next commit (LogBuffer::needs_file; its blob key made here when
  // hash_later left it empty). Its payload must stay as it is until then.
  void write_ahead(size_t row, const store::LogRow& r);

  // Stores `logs` and (when given) `epoch` in one transaction, after every
  // held batch, in the background; or holds them. Empties `logs`. Held
  // batches are retried only when `epoch` is given (at an epoch's end).
  void commit(const std::optional<store::EpochRow>& epoch, LogBuffer& logs);
  // Waits until the batch in flight is stored (or held, the store refusing
  // it): before a row that must follow it (a checkpoint's), and in tests.
  void settle();

  // What a run could not store.
  struct Loss {
    int64_t logs = 0;          // log rows never stored
    int64_t total_logs = 0;    // log rows the run produced
    int64_t epoch_rows = 0;    // epoch rows never stored
    int64_t first_epoch = -1;  // the epochs of the lost log rows (-1: none in the main loop)
    int64_t last_epoch = -1;
    Status cause;  // the store's last refusal
    // "5000 of 8000 log rows (epochs 3-7) and 5 epoch rows"
    std::string describe() const;
  };
  // The run ends: retries what is held, once more. Nullopt when everything
  // was stored; afterwards nothing is held.
  std::optional<Loss> finish();

 private:
  struct Batch {
    std::optional<store::EpochRow> epoch;
    std::vector<store::LogRow> logs;
    int64_t bytes = 0;
  };
  void hold(Batch batch);
  void retry();
  void refused(const Status& s);
  void back_off();
  void lose(const Batch& batch);
  void send(const std::optional<store::EpochRow>& epoch, LogBuffer& logs);
  void write_in_background();

  store::Store* store_;
  int64_t memory_bytes_;
  BlobWriter blobs_;
  std::deque<Batch> held_;  // in order; the store refused the first one
  int64_t held_bytes_ = 0;
  int64_t held_since_ = -1;  // the epoch of the first held batch
  Clock clock_;
  double retry_at_ = 0;     // no retry at an epoch's end before this time
  double retry_delay_ = 0;  // the wait after the last refusal
  bool warned_refused_ = false;
  bool warned_dropped_ = false;
  Loss loss_;

  // The batch in flight: the training thread fills it and sets `sent_`; the
  // writer's thread stores it, sets `stored_` and keeps the rows (their
  // memory goes back to the LogBuffer at the next exchange).
  std::mutex mu_;
  std::condition_variable cv_;
  Batch flight_;
  Status flight_status_;
  bool sent_ = false;
  bool stored_ = false;
  bool stop_ = false;
  std::thread thread_;  // started with the first batch
};

}  // namespace flor::rt
