// Record mode with FLOR_CKPT_URL: copies each durable checkpoint (its packs,
// then its manifest) to the object store on a background thread (write-behind:
// the training loop never waits on the network). The backlog is bounded in
// bytes: full() tells the recorder to skip checkpoints until it drains.
//
// Thread-safety: enqueue/full/take_done/finish from the training thread; the
// upload thread touches only its own client and the queue (under a mutex).
// Neither touches the store: the recorder writes the rows' locations.
#pragma once

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
  int64_t bytes = 0;  // what it adds to the backlog (its files not yet uploaded)
};

struct UploadDone {
  UploadJob job;
  Status status;  // ok: every file of the checkpoint is remote
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
  // Finished uploads since the last call.
  std::vector<UploadDone> take_done();
  // Waits until the queue is empty or `seconds` passed; `progress` is called
  // about every 5 s with the bytes still waiting. True when drained.
  bool drain(double seconds, const std::function<void(int64_t bytes, int64_t jobs)>& progress);
  std::string url() const;

 private:
  void loop();
  int64_t size_of_new_files(const std::string& rel);

  objstore::S3Client client_;
  std::string store_dir_;
  std::string name_;
  int64_t limit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<UploadJob> queue_;
  bool busy_ = false;  // the thread holds a job
  int64_t backlog_ = 0;
  bool stop_ = false;
  std::vector<UploadDone> done_;
  std::set<std::string> uploaded_;  // relative paths known remote (upload thread only)
  std::set<std::string> queued_packs_;  // packs already counted in the backlog (training thread)
  std::thread thread_;
};

}  // namespace flor::rt
