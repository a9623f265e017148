#include "objstore/s3.h"

#include <curl/curl.h>

#include <cstdio>
#include <mutex>
#include <utility>

#include "objstore/list_xml.h"

namespace flor::objstore {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string strip_slashes(std::string s) {
  while (!s.empty() && s.front() == '/') s.erase(s.begin());
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

size_t append_to_string(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t write_to_file(char* data, size_t size, size_t n, void* user) {
  return std::fwrite(data, size, n, static_cast<FILE*>(user)) * size;
}

size_t read_from_file(char* data, size_t size, size_t n, void* user) {
  return std::fread(data, size, n, static_cast<FILE*>(user)) * size;
}

// The S3 error code out of an error body (<Code>NoSuchKey</Code>), for messages.
std::string error_code(const std::string& body) {
  const auto b = body.find("<Code>");
  const auto e = body.find("</Code>");
  if (b == std::string::npos || e == std::string::npos || e < b) return "";
  return body.substr(b + 6, e - b - 6);
}

}  // namespace

std::string uri_encode(const std::string& s, bool keep_slash) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '_' || c == '.' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

Result<S3Config> s3_config(const std::string& url, const EnvGet& env) {
  constexpr const char* kScheme = "s3://";
  if (url.rfind(kScheme, 0) != 0) {
    return invalid_argument("checkpoint URL '" + url + "': expected s3://bucket/prefix");
  }
  std::string rest = url.substr(5);
  S3Config c;
  const auto slash = rest.find('/');
  c.bucket = rest.substr(0, slash);
  if (slash != std::string::npos) c.prefix = strip_slashes(rest.substr(slash + 1));
  if (c.bucket.empty()) return invalid_argument("checkpoint URL '" + url + "': no bucket (expected s3://bucket/prefix)");
  auto get = [&](const char* name) { return env(name).value_or(""); };
  c.region = get("AWS_REGION");
  if (c.region.empty()) c.region = get("AWS_DEFAULT_REGION");
  if (c.region.empty()) c.region = "us-east-1";
  c.endpoint = get("AWS_ENDPOINT_URL_S3");
  if (c.endpoint.empty()) c.endpoint = get("AWS_ENDPOINT_URL");
  if (c.endpoint.empty()) c.endpoint = "https://s3." + c.region + ".amazonaws.com";
  while (!c.endpoint.empty() && c.endpoint.back() == '/') c.endpoint.pop_back();
  c.access_key = get("AWS_ACCESS_KEY_ID");
  c.secret_key = get("AWS_SECRET_ACCESS_KEY");
  c.session_token = get("AWS_SESSION_TOKEN");
  if (c.access_key.empty() || c.secret_key.empty()) {
    return invalid_argument("checkpoint URL '" + url +
                            "': set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the object store's credentials)");
  }
  return c;
}

struct S3Client::Request {
  const char* method = "GET";
  std::string url;
  FILE* upload = nullptr;  // PUT body
  int64_t upload_size = 0;
  FILE* download = nullptr;  // GET body on success
  bool head = false;
  std::string body;  // the response (errors, lists)
  int64_t content_length = -1;
};

S3Client::S3Client(S3Config config) : config_(std::move(config)) {
  global_init();
  curl_ = curl_easy_init();
}

S3Client::~S3Client() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

std::string S3Client::key(const std::string& rel) const {
  return config_.prefix.empty() ? rel : config_.prefix + "/" + rel;
}

std::string S3Client::url_of(const std::string& key) const { return "s3://" + config_.bucket + "/" + key; }

std::string S3Client::object_url(const std::string& key) const {
  return config_.endpoint + "/" + uri_encode(config_.bucket, false) + "/" + uri_encode(key, true);
}

Result<long> S3Client::perform(Request& req) {
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return internal_error("object store: curl_easy_init failed");
  curl_easy_reset(curl);
  const std::string signing = "aws:amz:" + config_.region + ":s3";
  const std::string user = config_.access_key + ":" + config_.secret_key;
  curl_easy_setopt(curl, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, signing.c_str());
  curl_easy_setopt(curl, CURLOPT_USERPWD, user.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  // A stalled connection (under 1 KiB/s for 30 s) fails instead of hanging.
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 30L);
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
  if (!config_.session_token.empty()) {
    headers = curl_slist_append(headers, ("x-amz-security-token: " + config_.session_token).c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (req.upload != nullptr) {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_from_file);
    curl_easy_setopt(curl, CURLOPT_READDATA, req.upload);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(req.upload_size));
  } else if (req.head) {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req.method);
  }
  if (req.download != nullptr) {
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_to_file);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, req.download);
  } else {
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_to_string);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &req.body);
  }
  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    return io_error(std::string("object store ") + config_.endpoint + ": " + req.method + " " + req.url + ": " +
                    curl_easy_strerror(rc));
  }
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_off_t length = -1;
  curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
  req.content_length = length;
  return code;
}

namespace {
Status http_error(const char* method, const std::string& what, long code, const std::string& body) {
  std::string m = std::string(method) + " " + what + ": HTTP " + std::to_string(code);
  const std::string ec = error_code(body);
  if (!ec.empty()) m += " (" + ec + ")";
  if (code == 404) return not_found(m);
  if (code == 403) return io_error(m + "; check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the bucket's policy");
  return io_error(m);
}
}  // namespace

Status S3Client::put_file(const std::string& key, const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return io_error("cannot open " + path + " to upload it");
  std::fseek(f, 0, SEEK_END);
  const long size = std::ftell(f);
  std::fseek(f, 0, SEEK_SET);
  Request req;
  req.method = "PUT";
  req.url = object_url(key);
  req.upload = f;
  req.upload_size = size;
  auto code = perform(req);
  std::fclose(f);
  FLOR_RETURN_IF_ERROR(code.status());
  if (*code / 100 != 2) return http_error("PUT", url_of(key), *code, req.body);
  return Status();
}

// The body goes straight to the file; on an HTTP error the file holds the
// (small) error document, read back for the message, and is removed.
Status S3Client::get_file(const std::string& key, const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "w+b");
  if (f == nullptr) return io_error("cannot create " + path + " to download " + url_of(key) + " into");
  Request req;
  req.url = object_url(key);
  req.download = f;
  auto code = perform(req);
  const bool flushed = std::fflush(f) == 0;
  if (code.ok() && *code / 100 != 2) {
    std::fseek(f, 0, SEEK_SET);
    char buf[4096];
    const size_t n = std::fread(buf, 1, sizeof buf, f);
    req.body.assign(buf, n);
  }
  std::fclose(f);
  if (!code.ok() || *code / 100 != 2 || !flushed) std::remove(path.c_str());
  FLOR_RETURN_IF_ERROR(code.status());
  if (*code / 100 != 2) return http_error("GET", url_of(key), *code, req.body);
  if (!flushed) return io_error("cannot write " + path + " (downloading " + url_of(key) + "): disk full?");
  return Status();
}

Result<std::optional<int64_t>> S3Client::head(const std::string& key) {
  Request req;
  req.method = "HEAD";
  req.head = true;
  req.url = object_url(key);
  FLOR_ASSIGN_OR_RETURN(long code, perform(req));
  if (code == 404) return std::optional<int64_t>();
  if (code / 100 != 2) return http_error("HEAD", url_of(key), code, req.body);
  return std::optional<int64_t>(req.content_length);
}

Status S3Client::remove(const std::string& key) {
  Request req;
  req.method = "DELETE";
  req.url = object_url(key);
  FLOR_ASSIGN_OR_RETURN(long code, perform(req));
  if (code / 100 != 2 && code != 404) return http_error("DELETE", url_of(key), code, req.body);
  return Status();
}

Result<std::vector<ObjectInfo>> S3Client::list(const std::string& prefix) {
  std::vector<ObjectInfo> out;
  std::string token;
  for (;;) {
    Request req;
    // Parameters in sorted order: SigV4's canonical query string.
    req.url = config_.endpoint + "/" + uri_encode(config_.bucket, false) + "?";
    if (!token.empty()) req.url += "continuation-token=" + uri_encode(token, false) + "&";
    req.url += "list-type=2&prefix=" + uri_encode(prefix, false);
    FLOR_ASSIGN_OR_RETURN(long code, perform(req));
    if (code / 100 != 2) return http_error("LIST", url_of(prefix), code, req.body);
    FLOR_ASSIGN_OR_RETURN(ListPage page, parse_list_page(req.body));
    for (auto& o : page.objects) out.push_back(std::move(o));
    if (!page.truncated) break;
    if (page.next_token.empty()) return corrupt("LIST " + url_of(prefix) + ": truncated page without a continuation token");
    token = page.next_token;
  }
  return out;
}

}  // namespace flor::objstore
