// Typed log values in a real store: payloads inline and in content-addressed
// blob files (durable before their rows: through a FaultEnv), decoding, short
// forms, JSON, the first differing element, gc of unused blob files, and a
// version 3 store upgraded to typed values.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "util/fault_env.h"
#include "common/store_ok.h"
#include "common/temp_dir.h"
#include "store/store.h"
#include "store/value.h"

namespace flor::store {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

using test::open_ok;

template <typename T>
std::string raw(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

LogRow row(int64_t run, const std::string& name, const std::string& value, const char* type, std::string data,
           std::string blob = "") {
  LogRow r;
  r.run = r.source = run;
  r.epoch = 0;
  r.name = name;
  r.value = value;
  r.type = type;
  r.loc = "t.cc:1";
  r.data = std::move(data);
  r.blob = std::move(blob);
  return r;
}

TEST_CASE("store: typed values keep their payloads inline or in one blob file per content", "[store]") {
  TempDir home;
  auto store = open_ok(home.path, "typed");
  const int64_t run = *store->create_run(Run{});
  const std::vector<int64_t> small{1, 2, 3, 4, 5, 6};
  const std::vector<float> big(10000, 0.5f);  // 40000 bytes > kInlineBytes
  Histogram h;
  h.edges = {0, 0.5, 1};
  h.counts = {3, 1};
  h.min = 0, h.max = 1, h.count = 4, h.sum = 1.5, h.sum_squares = 1.25;
  std::vector<LogRow> rows{row(run, "cm", "int64[2,3] mean=3.5 min=1 max=6", kTypeTensor, raw(small)),
                           row(run, "w", "float[100,100] mean=0.5 min=0.5 max=0.5", kTypeTensor, raw(big), "k-40000"),
                           row(run, "w2", "float[100,100] mean=0.5 min=0.5 max=0.5", kTypeTensor, raw(big), "k-40000"),
                           row(run, "h", "hist[2] mean=0.375 min=0 max=1 count=4", kTypeHistogram, histogram_json(h)),
                           row(run, "img", "image 2x3x1", kTypeImage, "\x89PNG...", ""),
                           row(run, "loss", "0.25", "double", "")};
  REQUIRE(store->commit_epoch(std::nullopt, rows).ok());
  // The same content twice: one file.
  CHECK(fs::file_size(blob_path(store->dir(), "k-40000")) == 40000);
  CHECK(std::distance(fs::directory_iterator(store->dir() + "/ckpt/values"), fs::directory_iterator()) == 1);

  auto logs = store->logs(run);
  REQUIRE(logs.ok());
  REQUIRE(logs->size() == 6);
  CHECK(logs->at(0).data == raw(small));
  CHECK(logs->at(1).data.empty());
  CHECK(logs->at(1).blob == "k-40000");

  auto cm = read_value(store->dir(), logs->at(0));
  REQUIRE(cm.ok());
  CHECK(cm->kind == ValueKind::kTensor);
  CHECK(cm->dtype == "int64");
  CHECK(cm->shape == std::vector<int64_t>{2, 3});
  CHECK(value_json(*cm) == R"({"dtype":"int64","shape":[2,3],"values":[[1,2,3],[4,5,6]]})");
  CHECK(short_form(logs->at(0)) == "int64[2,3]");
  auto w = read_value(store->dir(), logs->at(1));
  REQUIRE(w.ok());
  CHECK(w->bytes == raw(big));
  CHECK(w->path == blob_path(store->dir(), "k-40000"));
  auto hv = read_value(store->dir(), logs->at(3));
  REQUIRE(hv.ok());
  CHECK(hv->kind == ValueKind::kHistogram);
  CHECK(hv->histogram->counts == std::vector<double>{3, 1});
  CHECK(short_form(logs->at(3)) == "hist[2] mean=0.375 min=0 max=1 count=4");
  auto img = read_value(store->dir(), logs->at(4));
  REQUIRE(img.ok());
  CHECK(img->shape == std::vector<int64_t>{2, 3, 1});
  CHECK(value_json(*img, "/x.png") == R"({"channels":1,"height":2,"path":"/x.png","width":3})");
  CHECK(value_json(*read_value(store->dir(), logs->at(5))) == "0.25");

  // A lost blob file is an error naming the file.
  fs::remove(blob_path(store->dir(), "k-40000"));
  auto lost = read_value(store->dir(), logs->at(1));
  REQUIRE_FALSE(lost.ok());
  CHECK_THAT(lost.status().message(), Catch::Contains("ckpt/values/k-40000"));
}

TEST_CASE("store: blob files are durable before their rows commit, one folder fsync per batch", "[store][sqlite]") {
  TempDir tmp;
  const std::string dir = tmp.path;
  fs::create_directories(dir + "/ckpt");
  FaultEnv env;
  const std::string a(40000, 'a'), b(50000, 'b');
  std::vector<LogRow> rows{row(1, "x", "float[10000]", kTypeTensor, a, "ka-40000"),
                           row(1, "y", "float[12500]", kTypeTensor, b, "kb-50000"),
                           row(1, "z", "float[10000]", kTypeTensor, a, "ka-40000"),  // the same content
                           row(1, "n", "1", "int", "")};
  REQUIRE(write_value_blobs(dir, rows, &env).ok());
  CHECK(env.calls(FaultEnv::Op::kFsync) == 2);     // one per new file
  CHECK(env.calls(FaultEnv::Op::kDirFsync) == 2);  // values/ once, and ckpt/ for the new values/
  // A power cut right after (before the rows commit, or after): the files stay whole.
  env.crash();
  CHECK(read_payload(dir, rows[0]).value() == a);
  CHECK(read_payload(dir, rows[1]).value() == b);

  // A file already under its key is not written again; the batch still fsyncs the folder once.
  REQUIRE(write_value_blobs(dir, {rows[0]}, &env).ok());
  CHECK(env.calls(FaultEnv::Op::kFsync) == 2);
  CHECK(env.calls(FaultEnv::Op::kDirFsync) == 3);

  // Negative control: the process dies at the folder's fsync. The call fails
  // (the store does not commit the row), and the crash really drops the
  // renamed but unsynced name: without that fsync a committed row would name
  // a lost file.
  LogRow c = row(1, "w", "float[15000]", kTypeTensor, std::string(60000, 'c'), "kc-60000");
  env.crash_at(FaultEnv::Op::kDirFsync, 1);
  CHECK_FALSE(write_value_blobs(dir, {c}, &env).ok());
  CHECK(fs::exists(blob_path(dir, c.blob)));  // renamed, in the page cache
  CHECK(env.crash() > 0);
  CHECK_FALSE(fs::exists(blob_path(dir, c.blob)));
  CHECK_FALSE(read_payload(dir, c).ok());
  CHECK(read_payload(dir, rows[1]).value() == b);  // the durable ones are untouched
}

TEST_CASE("store: first_difference names the index and both values", "[store]") {
  Value a, b;
  a.kind = b.kind = ValueKind::kTensor;
  a.dtype = b.dtype = "float";
  a.shape = b.shape = {2, 3};
  std::vector<float> x{0, 1, 2, 3, 4, 5}, y = x;
  a.bytes = raw(x);
  b.bytes = raw(y);
  CHECK_FALSE(first_difference(a, b).has_value());
  y[4] = 4.5f;
  b.bytes = raw(y);
  auto d = first_difference(a, b);
  REQUIRE(d.has_value());
  CHECK(d->index == std::vector<int64_t>{1, 1});
  CHECK(d->describe() == "first difference at [1,1]: recorded 4, replayed 4.5");
}

TEST_CASE("store: gc deletes value files no row names and keeps the others", "[store]") {
  TempDir home;
  auto store = open_ok(home.path, "gc");
  const int64_t run = *store->create_run(Run{});
  const std::string bytes(20000, 'x');
  REQUIRE(store->commit_epoch(std::nullopt, {row(run, "t", "uint8[20000]", kTypeTensor, bytes, "live-20000")}).ok());
  std::ofstream(blob_path(store->dir(), "dead-5")) << "12345";
  auto dry = collect_value_blobs(*store, /*dry_run=*/true);
  REQUIRE(dry.ok());
  CHECK(*dry == 5);
  CHECK(fs::exists(blob_path(store->dir(), "dead-5")));
  REQUIRE(*collect_value_blobs(*store, false) == 5);
  CHECK_FALSE(fs::exists(blob_path(store->dir(), "dead-5")));
  CHECK(fs::exists(blob_path(store->dir(), "live-20000")));
}

TEST_CASE("store: a version 3 store opens and gains typed values", "[store][sqlite]") {
  TempDir home;
  {
    auto store = open_ok(home.path, "v3");
    const int64_t run = *store->create_run(Run{});
    REQUIRE(store->commit_epoch(std::nullopt, {row(run, "acc", "0.5", "double", "")}).ok());
  }
  const std::string db = home.path + "/v3/flor.db";
  const std::string sql = "sqlite3 '" + db + "' \"ALTER TABLE logs DROP COLUMN data; ALTER TABLE logs DROP COLUMN "
                          "blob; ALTER TABLE checkpoints DROP COLUMN location; "
                          "UPDATE meta SET value='3' WHERE key='schema_version';\"";
  REQUIRE(std::system(("command -v sqlite3 >/dev/null || { echo 'sqlite3 (Debian sqlite3) is missing'; exit 1; }; " +
                       sql).c_str()) == 0);
  auto store = open_ok(home.path, "v3");
  auto logs = store->logs(1);
  REQUIRE(logs.ok());
  REQUIRE(logs->size() == 1);
  CHECK(logs->at(0).value == "0.5");
  REQUIRE(store->commit_epoch(std::nullopt, {row(1, "cm", "uint8[2]", kTypeTensor, "\x01\x02")}).ok());
  CHECK(store->logs(1)->at(1).data == "\x01\x02");
}

}  // namespace
}  // namespace flor::store
