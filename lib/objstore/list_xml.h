// The one piece of XML the S3 client reads: a ListObjectsV2 result page.
#pragma once

#include <string>
#include <vector>

#include "objstore/s3.h"
#include "util/status.h"

namespace flor::objstore {

struct ListPage {
  std::vector<ObjectInfo> objects;
  bool truncated = false;
  std::string next_token;
};

// Parses <ListBucketResult>: each <Contents>'s <Key> (entities decoded) and
// <Size>, <IsTruncated> and <NextContinuationToken>. kCorrupt, quoting the
// start of the document, when it is not one.
Result<ListPage> parse_list_page(const std::string& xml);
// Decodes &amp; &lt; &gt; &quot; &apos; and numeric character references.
Result<std::string> xml_unescape(const std::string& text);

}  // namespace flor::objstore
