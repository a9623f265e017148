// Blob files written in the background (why: blob_writer.h).
#include "blob_writer.h"

#include "store/value.h"
#include "typed_values.h"

namespace flor::rt {

BlobWriter::BlobWriter(std::string experiment_dir, Env* env) : dir_(std::move(experiment_dir)), env_(env) {}

BlobWriter::~BlobWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BlobWriter::start(size_t row, const char* data, size_t len, std::string key) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(Job{row, data, len, std::move(key)});
    if (!thread_.joinable()) thread_ = std::thread([this] { work(); });
  }
  cv_.notify_all();
}

std::vector<std::pair<size_t, std::string>> BlobWriter::wait() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return queue_.empty() && !busy_; });
  std::vector<std::pair<size_t, std::string>> keys;
  keys.reserve(done_.size());
  for (Job& j : done_) keys.emplace_back(j.row, std::move(j.key));
  done_.clear();
  return keys;
}

void BlobWriter::work() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stop_, nothing left
    Job job = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    if (job.key.empty()) job.key = blob_key(job.data, job.len);
    // A failure is not kept: the file is then missing at the commit, whose
    // write_value_blobs writes it again and reports what fails.
    (void)store::write_value_blob(dir_, job.key, job.data, job.len, env_);
    lock.lock();
    done_.push_back(std::move(job));
    busy_ = false;
    cv_.notify_all();
  }
}

}  // namespace flor::rt
