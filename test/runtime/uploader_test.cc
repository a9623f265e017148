// The record's background uploader (uploader.h): a failed upload is reported
// and tried again later, a bounded number of times; drain() tries a waiting
// retry at once instead of waiting for it. (The uploads against a real server:
// test/e2e/object_store*.sh.)
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>
#include <vector>

#include "common/temp_dir.h"
#include "uploader.h"

namespace flor::rt {
namespace {

objstore::S3Config config() {
  objstore::S3Config c;
  c.endpoint = "http://127.0.0.1:1";  // nothing listens: every request would fail too
  c.region = "us-east-1";
  c.access_key = "key";
  c.secret_key = "secret";
  c.bucket = "bucket";
  c.prefix = "prefix";
  return c;
}

// The finished uploads, until `n` arrived or 20 s passed.
std::vector<UploadDone> wait_done(Uploader& up, size_t n) {
  std::vector<UploadDone> all;
  for (int i = 0; i < 2000 && all.size() < n; ++i) {
    for (auto& d : up.take_done()) all.push_back(std::move(d));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return all;
}

TEST_CASE("uploader: a failed upload is tried again later, and once more at once by drain", "[runtime]") {
  test::TempDir dir;  // no checkpoint there: each try fails
  Uploader up(config(), dir.path, "exp", 0);
  up.enqueue({1, 3, 0, "ckpt/missing.ckpt", 0, 0});
  const auto start = std::chrono::steady_clock::now();
  auto done = wait_done(up, 2);
  REQUIRE(done.size() == 2);
  CHECK_FALSE(done[0].status.ok());
  CHECK(done[0].job.epoch == 3);
  CHECK(done[0].job.tries == 1);
  CHECK(done[0].retry);
  CHECK(done[1].job.tries == 2);  // 1 s later
  CHECK(done[1].retry);
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(900));
  CHECK_FALSE(up.full());  // a retry adds nothing to the backlog (limit 0: any byte would fill it)

  // The next retry is due 2 s after the second failure: drain does not wait for it.
  const auto drain_start = std::chrono::steady_clock::now();
  CHECK(up.drain(30, nullptr));
  CHECK(std::chrono::steady_clock::now() - drain_start < std::chrono::milliseconds(1500));
  auto last = up.take_done();
  REQUIRE(last.size() == 1);
  CHECK(last[0].job.tries == 3);
  CHECK_FALSE(last[0].retry);  // drained: not tried again
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(up.take_done().empty());
}

}  // namespace
}  // namespace flor::rt
