// The object-store client's pure parts: configuration from the URL and the
// AWS_* variables, key encoding, the ListObjectsV2 page. Requests against a
// real server: test/e2e/object_store.sh.
#include <catch2/catch.hpp>

#include <map>

#include "objstore/list_xml.h"
#include "objstore/s3.h"

namespace flor::objstore {
namespace {

EnvGet env_of(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const std::map<std::string, std::string> kCreds = {{"AWS_ACCESS_KEY_ID", "AK"}, {"AWS_SECRET_ACCESS_KEY", "SECRET"}};

TEST_CASE("objstore: the URL and the AWS variables", "[objstore]") {
  auto vars = kCreds;
  vars["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9000/";
  vars["AWS_DEFAULT_REGION"] = "eu-west-1";
  auto c = s3_config("s3://bkt/a/b/", env_of(vars));
  REQUIRE(c.ok());
  CHECK(c->bucket == "bkt");
  CHECK(c->prefix == "a/b");
  CHECK(c->endpoint == "http://127.0.0.1:9000");
  CHECK(c->region == "eu-west-1");
  vars["AWS_ENDPOINT_URL_S3"] = "http://s3.local";
  vars["AWS_REGION"] = "us-west-2";
  c = s3_config("s3://bkt", env_of(vars));
  REQUIRE(c.ok());
  CHECK(c->prefix.empty());
  CHECK(c->endpoint == "http://s3.local");
  CHECK(c->region == "us-west-2");
  c = s3_config("s3://bkt/p", env_of(kCreds));
  REQUIRE(c.ok());
  CHECK(c->endpoint == "https://s3.us-east-1.amazonaws.com");
  S3Client client(*c);
  CHECK(client.key("x/y") == "p/x/y");
  CHECK(client.url_of("p/x") == "s3://bkt/p/x");
}

TEST_CASE("objstore: bad configuration says what to do, never the secret", "[objstore]") {
  CHECK_THAT(s3_config("gs://bkt/p", env_of(kCreds)).status().message(), Catch::Contains("s3://bucket/prefix"));
  CHECK_THAT(s3_config("s3:///p", env_of(kCreds)).status().message(), Catch::Contains("no bucket"));
  auto no_secret = s3_config("s3://bkt/p", env_of({{"AWS_ACCESS_KEY_ID", "AK"}}));
  CHECK_THAT(no_secret.status().message(), Catch::Contains("AWS_SECRET_ACCESS_KEY"));
  // A request that fails (nothing listens on port 1) names the endpoint, not the secret.
  auto vars = kCreds;
  vars["AWS_ENDPOINT_URL"] = "http://127.0.0.1:1";
  S3Client client(*s3_config("s3://bkt/p", env_of(vars)));
  auto h = client.head("p/x");
  REQUIRE(!h.ok());
  CHECK_THAT(h.status().message(), Catch::Contains("127.0.0.1:1"));
  CHECK_THAT(h.status().message(), !Catch::Contains("SECRET"));
}

TEST_CASE("objstore: keys are percent-encoded as SigV4 wants", "[objstore]") {
  CHECK(uri_encode("a/b c+d~e_f.g-h", true) == "a/b%20c%2Bd~e_f.g-h");
  CHECK(uri_encode("a/b", false) == "a%2Fb");
  CHECK(uri_encode("\xc3\xa9", false) == "%C3%A9");
}

TEST_CASE("objstore: a ListObjectsV2 page", "[objstore]") {
  const std::string page =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Name>b</Name><IsTruncated>true</IsTruncated><NextContinuationToken>t&amp;1</NextContinuationToken>"
      "<Contents><Key>p/a&amp;b&#x20;c</Key><Size>12</Size></Contents>"
      "<Contents><Key>p/packs/00ff.pack</Key><ETag>&quot;x&quot;</ETag><Size>0</Size></Contents>"
      "</ListBucketResult>";
  auto r = parse_list_page(page);
  REQUIRE(r.ok());
  REQUIRE(r->objects.size() == 2);
  CHECK(r->objects[0].key == "p/a&b c");
  CHECK(r->objects[0].size == 12);
  CHECK(r->objects[1].key == "p/packs/00ff.pack");
  CHECK(r->objects[1].size == 0);
  CHECK(r->truncated);
  CHECK(r->next_token == "t&1");
  CHECK(parse_list_page("<Error><Code>AccessDenied</Code></Error>").status().code() == Code::kCorrupt);
  CHECK(parse_list_page("<ListBucketResult><Contents><Key>k</Key><Size>-3</Size></Contents></ListBucketResult>")
            .status()
            .code() == Code::kCorrupt);
  CHECK(!xml_unescape("a &bogus; b").ok());
  CHECK(*xml_unescape("&lt;&gt;&apos;&#233;") == "<>'\xc3\xa9");
}

}  // namespace
}  // namespace flor::objstore
