// The page's files, embedded at build time (assets.cc is generated from
// lib/ui/page/ and Debian's libjs-chart.js by cmake/EmbedFiles.cmake).
#pragma once

namespace flor::ui {

const char* asset_index_html();
const char* asset_page_css();
const char* asset_page_js();
const char* asset_chart_js();  // Chart.js (chart.min.js of libjs-chart.js)

}  // namespace flor::ui
