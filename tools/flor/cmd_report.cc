// flor report: the dashboard of one experiment as one self-contained HTML file.
#include <cstdio>

#include "command.h"
#include "context.h"
#include "ui/page.h"
#include "util/durable_file.h"

namespace flor::cli {

std::unique_ptr<git::Repo> repo_if_any();  // cmd_ui.cc

namespace {

Result<int> cmd_report(Context& ctx) {
  const std::string out = ctx.args.value("--output").value_or(ctx.name + "-report.html");
  ui::Api api(ctx.home, repo_if_any(), /*embed_images=*/true);  // the file holds its images
  FLOR_ASSIGN_OR_RETURN(std::string html, ui::report_html(api, ctx.name));
  FLOR_RETURN_IF_ERROR(write_file_atomic(out, html).with_context("report"));
  std::printf("flor report: %s (%.1f MiB; opens offline in any browser)\n", out.c_str(),
              static_cast<double>(html.size()) / (1 << 20));
  return 0;
}

}  // namespace

extern const Command kReportCommand = {
    "report",
    "the dashboard of an experiment as one self-contained HTML file",
    "NAME",
    "Writes the dashboard of experiment NAME (the page of flor ui) with all its\n"
    "data embedded: one self-contained HTML file that works offline (e-mail it,\n"
    "attach it to a pull request). Diffs are included when flor report runs in the\n"
    "runs' repository.\n",
    {{"--output", "-o", "FILE", "where to write it (default NAME-report.html)"}},
    "example: flor report mnist -o mnist.html\n",
    NeedsRepo::kNo,
    NeedsStore::kExperiment,
    cmd_report,
};

}  // namespace flor::cli
