// Writes typed values' blob files (store/value.h) on a background thread,
// started when a log takes its value, so the 4 MB write and its fsync of a
// whole tensor do not stall the training thread at the epoch's end. The log
// writer waits for them before the epoch's rows commit, and the commit's
// write_value_blobs then only fsyncs ckpt/values once (or writes a file whose
// background write failed: a failure takes the commit's path, as without
// this writer). A payload with no key yet (LogBuffer::add's hash_later) is
// hashed here too.
//
// Thread-safety: start and wait from one thread (the training thread); the
// bytes given to start must stay unchanged until wait returns.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "util/env.h"

namespace flor::rt {

class BlobWriter {
 public:
  // Files go to `experiment_dir`/ckpt/values, through `env` (outlives the writer).
  BlobWriter(std::string experiment_dir, Env* env);
  ~BlobWriter();
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;

  // Queues the payload of pending row `row`: `len` bytes at `data`, under
  // `key` ("": blob_key of the bytes, made here).
  void start(size_t row, const char* data, size_t len, std::string key);
  // Waits until every queued file is written (or failed) and returns each
  // queued row with its key, in order; the queue is then empty.
  std::vector<std::pair<size_t, std::string>> wait();

 private:
  struct Job {
    size_t row;
    const char* data;
    size_t len;
    std::string key;
  };
  void work();

  const std::string dir_;
  Env* const env_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;      // not yet taken by the thread
  std::vector<Job> done_;      // written (or failed), keyed
  bool busy_ = false;          // the thread holds a job
  bool stop_ = false;
  std::thread thread_;         // started by the first start()
};

}  // namespace flor::rt
