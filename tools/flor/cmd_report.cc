// flor report NAME [-o FILE]: the dashboard of one experiment as one self-contained HTML file.
#include <cstdio>

#include "context.h"
#include "sweep/files.h"
#include "ui/page.h"

namespace flor::cli {

std::unique_ptr<git::Repo> repo_if_any();  // cmd_ui.cc

Result<int> cmd_report(const std::vector<std::string>& words) {
  FLOR_ASSIGN_OR_RETURN(Args args, parse_args("report", words, {{"--output", "-o", Takes::kValue}}));
  FLOR_RETURN_IF_ERROR(expect_positionals("report", args, 1, 1));
  const std::string& name = args.positional[0];
  FLOR_RETURN_IF_ERROR(open_experiment(flor_home(), name).status());
  const std::string out = args.value("--output").value_or(name + "-report.html");
  ui::Api api(flor_home(), repo_if_any());
  FLOR_ASSIGN_OR_RETURN(std::string html, ui::report_html(api, name));
  FLOR_RETURN_IF_ERROR(sweep::write_file_atomic(out, html).with_context("report"));
  std::printf("flor report: %s (%.1f MiB; opens offline in any browser)\n", out.c_str(),
              static_cast<double>(html.size()) / (1 << 20));
  return 0;
}

}  // namespace flor::cli
