// An S3 client (path-style URLs, AWS SigV4 signed by libcurl): the object store
// that checkpoint files are copied to (docs/object-store.md). Torch-free; shared
// by the runtime (upload, download) and the driver (flor gc).
//
// Configuration comes from a URL `s3://bucket/prefix` and the usual variables:
// AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL (default https://s3.<region>.amazonaws.com),
// AWS_REGION or AWS_DEFAULT_REGION (default us-east-1), AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN. Nothing here prints; no message
// ever holds a secret.
//
// Thread-safety: a client may be used by one thread at a time; make one per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace flor::objstore {

using EnvGet = std::function<std::optional<std::string>(const char* name)>;

struct S3Config {
  std::string endpoint;  // "http://127.0.0.1:9000", no trailing slash
  std::string region;
  std::string access_key;
  std::string secret_key;  // never in a message
  std::string session_token;
  std::string bucket;
  std::string prefix;  // no leading or trailing slash; may be empty
};

// Parses `s3://bucket/prefix` and reads the AWS_* variables through `env`.
// Errors name the URL or the missing variable.
Result<S3Config> s3_config(const std::string& url, const EnvGet& env);

struct ObjectInfo {
  std::string key;  // the full key, prefix included
  int64_t size = 0;
};

class S3Client {
 public:
  explicit S3Client(S3Config config);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  const S3Config& config() const { return config_; }
  // The key of `rel` under the prefix: "prefix/rel" (or "rel").
  std::string key(const std::string& rel) const;
  // "s3://bucket/key", for messages.
  std::string url_of(const std::string& key) const;

  // Uploads file `path` (streamed from disk) as object `key`.
  Status put_file(const std::string& key, const std::string& path);
  // Downloads object `key` into `path` (written as it arrives; the caller
  // renames a temp file). kNotFound when there is no such object.
  Status get_file(const std::string& key, const std::string& path);
  // The object's size, or nullopt when it does not exist.
  Result<std::optional<int64_t>> head(const std::string& key);
  // Deletes `key` (no error when it does not exist).
  Status remove(const std::string& key);
  // Every object whose key starts with `prefix` (ListObjectsV2, all pages).
  Result<std::vector<ObjectInfo>> list(const std::string& prefix);

 private:
  struct Request;
  Result<long> perform(Request& req);
  std::string object_url(const std::string& key) const;
  S3Config config_;
  void* curl_ = nullptr;  // CURL*, reused: keeps the connection alive
};

// Percent-encodes `s` as SigV4 wants a path or query value (unreserved kept;
// '/' kept when `keep_slash`).
std::string uri_encode(const std::string& s, bool keep_slash);

}  // namespace flor::objstore
