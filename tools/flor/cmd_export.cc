// flor export NAME [--run REF | --runs all] (--tensorboard DIR | --csv DIR | --jsonl FILE)
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "context.h"
#include "export/export.h"

namespace flor::cli {

Result<int> cmd_export(const std::vector<std::string>& words) {
  FLOR_ASSIGN_OR_RETURN(Args args, parse_args("export", words,
                                              {{"--run", nullptr, Takes::kValue},
                                               {"--runs", nullptr, Takes::kValue},
                                               {"--tensorboard", nullptr, Takes::kValue},
                                               {"--csv", nullptr, Takes::kValue},
                                               {"--jsonl", nullptr, Takes::kValue}}));
  FLOR_RETURN_IF_ERROR(expect_positionals("export", args, 1, 1));
  const int targets = args.has("--tensorboard") + args.has("--csv") + args.has("--jsonl");
  if (targets != 1) return invalid_argument("flor export: give one of --tensorboard DIR, --csv DIR or --jsonl FILE");
  if (args.has("--run") && args.has("--runs")) return invalid_argument("flor export: --run and --runs exclude each other");
  if (args.has("--runs") && *args.value("--runs") != "all") {
    return invalid_argument("flor export: --runs " + *args.value("--runs") + ": the only choice is 'all'");
  }
  FLOR_ASSIGN_OR_RETURN(auto store, open_experiment(flor_home(), args.positional[0]));
  std::vector<store::Run> records;
  if (args.has("--runs")) {
    FLOR_ASSIGN_OR_RETURN(auto runs, store->runs());
    for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
      if (it->kind == store::RunKind::kRecord) records.push_back(*it);
    }
  } else {
    FLOR_ASSIGN_OR_RETURN(store::Run run, find_run(*store, args.value("--run").value_or("")));
    if (run.kind == store::RunKind::kReplay && run.parent) {  // its values live with the record
      FLOR_ASSIGN_OR_RETURN(run, store->run(*run.parent));
    }
    records.push_back(run);
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> jsonl(nullptr, std::fclose);
  if (auto file = args.value("--jsonl")) {
    jsonl.reset(*file == "-" ? stdout : std::fopen(file->c_str(), "w"));
    if (!jsonl) return io_error("cannot write " + *file + ": " + std::strerror(errno));
    if (*file == "-") jsonl.get_deleter() = [](std::FILE*) { return 0; };
  }
  for (const store::Run& r : records) {
    if (auto dir = args.value("--tensorboard")) FLOR_RETURN_IF_ERROR(exports::export_tensorboard(*store, r, *dir));
    if (auto dir = args.value("--csv")) FLOR_RETURN_IF_ERROR(exports::export_csv(*store, r, *dir));
    if (jsonl) FLOR_RETURN_IF_ERROR(exports::export_jsonl(*store, r, jsonl.get()));
  }
  if (jsonl && std::fflush(jsonl.get()) != 0) return io_error("cannot write " + *args.value("--jsonl"));
  if (!args.has("--jsonl") || *args.value("--jsonl") != "-") {
    std::fprintf(stderr, "exported %zu run(s) of '%s'\n", records.size(), args.positional[0].c_str());
  }
  return 0;
}

}  // namespace flor::cli
