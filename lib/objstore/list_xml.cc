#include "objstore/list_xml.h"

#include <cstdlib>
#include <optional>

namespace flor::objstore {
namespace {

// The text of the first <tag>...</tag> in xml[from, to), or nullopt.
std::optional<std::string> element(const std::string& xml, const std::string& tag, size_t from, size_t to) {
  const std::string open = "<" + tag + ">";
  const std::string close = "</" + tag + ">";
  const size_t b = xml.find(open, from);
  if (b == std::string::npos || b >= to) return std::nullopt;
  const size_t e = xml.find(close, b + open.size());
  if (e == std::string::npos || e > to) return std::nullopt;
  return xml.substr(b + open.size(), e - b - open.size());
}

void append_utf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

Status not_a_list(const std::string& xml, const std::string& why) {
  return corrupt("object store: not a ListObjectsV2 result (" + why + "): " + xml.substr(0, 200));
}

}  // namespace

Result<std::string> xml_unescape(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    const size_t semi = text.find(';', i);
    if (semi == std::string::npos) return corrupt("XML text '" + text + "': '&' without ';'");
    const std::string ent = text.substr(i + 1, semi - i - 1);
    if (ent == "amp") out += '&';
    else if (ent == "lt") out += '<';
    else if (ent == "gt") out += '>';
    else if (ent == "quot") out += '"';
    else if (ent == "apos") out += '\'';
    else if (ent.size() > 1 && ent[0] == '#') {
      const bool hex = ent[1] == 'x' || ent[1] == 'X';
      const std::string digits = ent.substr(hex ? 2 : 1);
      char* end = nullptr;
      const unsigned long cp = std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
      if (digits.empty() || *end != '\0' || cp > 0x10FFFF) return corrupt(std::string("XML text '").append(text).append("': bad &").append(ent).append(";"));
      append_utf8(out, cp);
    } else {
      return corrupt(std::string("XML text '").append(text).append("': unknown entity &").append(ent).append(";"));
    }
    i = semi;
  }
  return out;
}

Result<ListPage> parse_list_page(const std::string& xml) {
  if (xml.find("<ListBucketResult") == std::string::npos) return not_a_list(xml, "no <ListBucketResult>");
  ListPage page;
  size_t at = 0;
  for (;;) {
    const size_t b = xml.find("<Contents>", at);
    if (b == std::string::npos) break;
    const size_t e = xml.find("</Contents>", b);
    if (e == std::string::npos) return not_a_list(xml, "<Contents> not closed");
    auto key = element(xml, "Key", b, e);
    auto size = element(xml, "Size", b, e);
    if (!key || !size) return not_a_list(xml, "<Contents> without <Key> or <Size>");
    ObjectInfo o;
    FLOR_ASSIGN_OR_RETURN(o.key, xml_unescape(*key));
    char* end = nullptr;
    o.size = std::strtoll(size->c_str(), &end, 10);
    if (size->empty() || *end != '\0' || o.size < 0) return not_a_list(xml, "bad <Size> '" + *size + "'");
    page.objects.push_back(std::move(o));
    at = e;
  }
  auto truncated = element(xml, "IsTruncated", 0, xml.size());
  page.truncated = truncated && *truncated == "true";
  if (auto token = element(xml, "NextContinuationToken", 0, xml.size())) {
    FLOR_ASSIGN_OR_RETURN(page.next_token, xml_unescape(*token));
  }
  return page;
}

}  // namespace flor::objstore
