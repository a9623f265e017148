#include "ui/page.h"

#include "ui/assets.h"

namespace flor::ui {
namespace {

void replace_once(std::string& s, const std::string& marker, const std::string& with) {
  size_t at = s.find(marker);
  if (at != std::string::npos) s.replace(at, marker.size(), with);
}

// JSON inside <script>: "</" would end the element; "<\/" is the same JSON string.
std::string script_safe(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  for (size_t i = 0; i < json.size(); ++i) {
    out += json[i];
    if (json[i] == '<' && i + 1 < json.size() && json[i + 1] == '/') out += '\\';
  }
  return out;
}

}  // namespace

std::string page_html(const Json& data) {
  std::string html = asset_index_html();
  replace_once(html, "/*FLOR_PAGE_CSS*/", asset_page_css());
  replace_once(html, "/*FLOR_CHART_JS*/", asset_chart_js());
  replace_once(html, "/*FLOR_PAGE_JS*/", asset_page_js());
  replace_once(html, "<!--FLOR_DATA-->",
               data.is_null() ? "" : "<script id=\"flor-data\" type=\"application/json\">" + script_safe(data.dump()) +
                                         "</script>");
  return html;
}

Result<std::string> report_html(const Api& api, const std::string& name) {
  Json data = Json::object();
  const std::string base = "/api/experiments/" + name;
  FLOR_ASSIGN_OR_RETURN(Json runs, api.get(base + "/runs"));
  FLOR_ASSIGN_OR_RETURN(Json all, api.get("/api/experiments"));
  Json only = Json::array();
  for (const auto& e : all) {
    if (e.value("name", "") == name) only.push_back(e);
  }
  data["/api/experiments"] = only;
  data[base + "/runs"] = runs;
  FLOR_ASSIGN_OR_RETURN(data[base + "/sweeps"], api.get(base + "/sweeps"));
  for (const auto& r : runs) {
    const std::string run = base + "/runs/" + std::to_string(r["id"].get<int64_t>());
    // A replay's values live with its record: the page asks for the record's series.
    if (r["parent"].is_null()) {
      FLOR_ASSIGN_OR_RETURN(data[run + "/series"], api.get(run + "/series"));
    }
    FLOR_ASSIGN_OR_RETURN(data[run + "/divergences"], api.get(run + "/divergences"));
    auto diff = api.get(run + "/diff");  // absent without the repository: the page says so
    if (diff.ok()) data[run + "/diff"] = *diff;
  }
  return page_html(data);
}

}  // namespace flor::ui
