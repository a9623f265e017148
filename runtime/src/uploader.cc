#include "uploader.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <filesystem>
#include <system_error>
#include <utility>

#include "ckpt/engine.h"
#include "objstore/ckpt_sync.h"

namespace flor::rt {

Uploader::Uploader(objstore::S3Config config, std::string store_dir, std::string name, int64_t backlog_limit_bytes)
    : client_(std::move(config)), store_dir_(std::move(store_dir)), name_(std::move(name)), limit_(backlog_limit_bytes) {
  thread_ = std::thread([this] { loop(); });
}

Uploader::~Uploader() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

std::string Uploader::url() const { return client_.url_of(client_.key(name_)); }

int64_t Uploader::size_of_new_files(const std::string& rel) {
  auto files = objstore::checkpoint_files(store_dir_, rel);
  if (!files.ok()) return 0;  // the upload reports it
  int64_t bytes = 0;
  for (const auto& f : *files) {
    if (f != rel && !queued_packs_.insert(f).second) continue;  // a pack counted already
    std::error_code ec;
    const auto n = std::filesystem::file_size(store_dir_ + "/" + f, ec);
    if (!ec) bytes += static_cast<int64_t>(n);
  }
  return bytes;
}

void Uploader::enqueue(UploadJob job) {
  job.bytes = size_of_new_files(job.rel);
  {
    std::lock_guard<std::mutex> lock(mu_);
    backlog_ += job.bytes;
    queue_.push_back(std::move(job));
  }
  cv_.notify_all();
}

bool Uploader::full() const {
  std::lock_guard<std::mutex> lock(mu_);
  return backlog_ > 0 && backlog_ >= limit_;  // a retry adds no bytes: it never skips a checkpoint
}

int64_t Uploader::backlog_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return backlog_;
}

std::vector<UploadDone> Uploader::take_done() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<UploadDone> out;
  out.swap(done_);
  return out;
}

bool Uploader::drain(double seconds, const std::function<void(int64_t, int64_t)>& progress) {
  const Clock::time_point deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::unique_lock<std::mutex> lock(mu_);
  draining_ = true;
  requeue_due(Clock::now());
  cv_.notify_all();
  for (;;) {
    if (queue_.empty() && !busy_) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    const Clock::time_point wake = std::min<Clock::time_point>(deadline, now + std::chrono::seconds(5));
    if (!cv_.wait_until(lock, wake, [&] { return queue_.empty() && !busy_; })) {
      if (std::chrono::steady_clock::now() < deadline && progress) {
        const int64_t b = backlog_;
        const auto jobs = static_cast<int64_t>(queue_.size() + (busy_ ? 1 : 0));
        lock.unlock();
        progress(b, jobs);
        lock.lock();
      }
    }
  }
}

void Uploader::requeue_due(Clock::time_point now) {
  while (!retry_.empty() && (draining_ || retry_.front().due <= now)) {
    queue_.push_back(std::move(retry_.front().job));
    retry_.pop_front();
  }
}

void Uploader::finished(UploadJob job, Status status) {
  backlog_ -= job.bytes;
  job.bytes = 0;
  const bool retry = !status.ok() && job.tries < kUploadAttempts && !draining_ && !stop_;
  done_.push_back({job, std::move(status), retry});
  if (retry) {
    // 1 s, 2 s, 4 s...: a server back within seconds gets the checkpoint; one
    // gone for good costs a few failed requests. retry_ stays sorted by due time.
    const auto due = Clock::now() + std::chrono::seconds(int64_t{1} << (job.tries - 1));
    Retry r{std::move(job), due};
    auto at = std::upper_bound(retry_.begin(), retry_.end(), r.due,
                               [](Clock::time_point t, const Retry& x) { return t < x.due; });
    retry_.insert(at, std::move(r));
  }
}

void Uploader::loop() {
  lower_background_priority();
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (retry_.empty()) {
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    } else {
      cv_.wait_until(lock, retry_.front().due, [&] { return stop_ || !queue_.empty(); });
    }
    if (stop_) return;
    requeue_due(Clock::now());
    if (queue_.empty()) continue;
    UploadJob job = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    ++job.tries;
    auto r = objstore::upload_checkpoint(client_, store_dir_, name_, job.rel, &uploaded_);
    lock.lock();
    busy_ = false;
    finished(std::move(job), r.status());
    cv_.notify_all();
  }
}

}  // namespace flor::rt
