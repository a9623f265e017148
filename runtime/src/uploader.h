// Record mode with FLOR_CKPT_URL: copies each durable checkpoint (its packs,
// then its manifest) to the object store on a background thread (write-behind:
// the training loop never waits on the network). The backlog is bounded in
// bytes: full() tells the recorder to skip checkpoints until it drains.
// A failed upload is reported (the row stays local) and tried again later,
// kUploadAttempts times in all, after 1 s, 2 s, 4 s...; drain() tries each one
// still waiting once more at once, then gives up on it.
//
// Thread-safety: enqueue/full/take_done/drain from the training thread; the
// upload thread touches only its own client and the queue (under a mutex).
// Neither touches the store: the recorder writes the rows' locations.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "objstore/s3.h"
#include "util/status.h"

namespace flor::rt {

struct UploadJob {
  int64_t run = 0;
  int64_t epoch = 0;
  int64_t seq = 0;
  std::string rel;    // "ckpt/<name>"
  int64_t bytes = 0;  // what it adds to the backlog (its files not yet uploaded; 0 for a retry)
  int tries = 0;      // uploads tried so far (the uploader's)
};

// Tries of one checkpoint's upload, the first included.
inline constexpr int kUploadAttempts = 4;

struct UploadDone {
  UploadJob job;
  Status status;     // ok: every file of the checkpoint is remote
  bool retry = false;  // failed, and tried again later (job.tries: the tries so far)
};

class Uploader {
 public:
  // store_dir: FLOR_HOME/NAME; name: NAME (the objects' folder under the prefix).
  Uploader(objstore::S3Config config, std::string store_dir, std::string name, int64_t backlog_limit_bytes);
  ~Uploader();  // stops after the current file; what is queued stays local
  Uploader(const Uploader&) = delete;
  Uploader& operator=(const Uploader&) = delete;

  // Queues checkpoint `job.rel` (its file sizes are summed here).
  void enqueue(UploadJob job);
  // True when the backlog holds at least the limit: the next checkpoint is skipped.
  bool full() const;
  int64_t backlog_bytes() const;
  int64_t backlog_limit_bytes() const { return limit_; }
  // Finished uploads since the last call.
  std::vector<UploadDone> take_done();
  // Waits until the queue is empty or `seconds` passed; `progress` is called
  // about every 5 s with the bytes still waiting. Failed uploads waiting for a
  // retry are tried once more now (and not again). True when drained.
  bool drain(double seconds, const std::function<void(int64_t bytes, int64_t jobs)>& progress);
  std::string url() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Retry {
    UploadJob job;
    Clock::time_point due;
  };
  void loop();
  // Under mu_: moves the retries due by `now` (all of them when draining_) to the queue.
  void requeue_due(Clock::time_point now);
  void finished(UploadJob job, Status status);  // under mu_
  int64_t size_of_new_files(const std::string& rel);

  objstore::S3Client client_;
  std::string store_dir_;
  std::string name_;
  int64_t limit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<UploadJob> queue_;
  std::deque<Retry> retry_;  // failed, tried again when due
  bool draining_ = false;  // drain() started: a failure is not retried again
  bool busy_ = false;  // the thread holds a job
  int64_t backlog_ = 0;
  bool stop_ = false;
  std::vector<UploadDone> done_;
  std::set<std::string> uploaded_;  // relative paths known remote (upload thread only)
  std::set<std::string> queued_packs_;  // packs already counted in the backlog (training thread)
  std::thread thread_;
};

}  // namespace flor::rt
