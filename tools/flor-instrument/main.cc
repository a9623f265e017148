// flor-instrument: inserts flor's loop hooks and checkpoint sets into plain
// LibTorch training code (Clang 14 LibTooling). Two faces:
//   flor-instrument [-p BUILD_DIR] [-i | --diff | --check | --explain] FILE... [-- FLAGS]
//   flor-instrument --probes --recorded OLD [--verdict PATH] FILE [-- FLAGS]
//   flor-instrument <compiler> ARGS...      (compiler launcher, for CMake)
// The only place that prints or picks exit codes.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <future>
#include <iostream>
#include <set>

#include "clang/Tooling/CommonOptionsParser.h"
#include "flor/version.h"
#include "instrumenter.h"
#include "compiler_launcher.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "probes.h"
#include "rule.h"
#include "unified_diff.h"

namespace {

// The command line, as LLVM's parser wants it: mutable globals it fills in
// before run_tool reads them (named g_ because they are not constants).
llvm::cl::OptionCategory g_category("flor-instrument options");
llvm::cl::opt<bool> g_in_place("i", llvm::cl::desc("Rewrite the files in place"), llvm::cl::cat(g_category));
llvm::cl::opt<bool> g_diff("diff", llvm::cl::desc("Print a unified diff instead of the instrumented source"),
                          llvm::cl::cat(g_category));
llvm::cl::opt<bool> g_check("check",
                           llvm::cl::desc("Exit 1 and print the diff when a file is not instrumented as it "
                                          "would be"),
                           llvm::cl::cat(g_category));
llvm::cl::opt<bool> g_explain("explain", llvm::cl::desc("Print each skip block's side-effect set and why"),
                             llvm::cl::cat(g_category));
llvm::cl::opt<bool> g_list_rules("list-rules", llvm::cl::desc("List the rules and exit"),
                               llvm::cl::cat(g_category));
llvm::cl::opt<bool> g_probes("probes",
                            llvm::cl::desc("Print the skip blocks (one per line) that gained flor::log "
                                           "calls since --recorded"),
                            llvm::cl::cat(g_category));
llvm::cl::opt<std::string> g_recorded("recorded",
                                     llvm::cl::desc("The recorded version of the one FILE (--probes)"),
                                     llvm::cl::value_desc("OLDFILE"), llvm::cl::cat(g_category));
llvm::cl::opt<std::string> g_files_read("files-read",
                                      llvm::cl::desc("With --probes: write the files both parses read, but "
                                                     "FILE, one per line, to PATH"),
                                      llvm::cl::value_desc("PATH"), llvm::cl::cat(g_category));
llvm::cl::opt<std::string> g_verdict("verdict",
                                   llvm::cl::desc("With --probes: write whether the blocks printed are all "
                                                  "the loops of FILE that must run (\"complete\", or "
                                                  "\"incomplete: WHY\") to PATH"),
                                   llvm::cl::value_desc("PATH"), llvm::cl::cat(g_category));

constexpr int kExitOk = 0;
constexpr int kExitCheckFailed = 1;
constexpr int kExitError = 2;

int fail(const flor::Status& status) {
  std::cerr << "flor-instrument: " << status.message() << "\n";
  return kExitError;
}

int list_rules() {
  for (const flor::instr::RuleInfo& rule : flor::instr::rule_table()) {
    std::printf("flor-%-14s %s\n", rule.name, rule.summary);
  }
  return kExitOk;
}

int exec_compiler(const std::vector<std::string>& args) {
  flor::instr::CompilePlan plan = flor::instr::plan_compile(args);
  for (const std::string& line : plan.diagnostics) std::cerr << line << "\n";
  if (!plan.note.empty()) std::cerr << plan.note << "\n";
  std::vector<char*> argv;
  for (std::string& arg : plan.command) argv.push_back(arg.data());
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  std::perror(("flor-instrument: cannot run " + plan.command[0]).c_str());
  return 127;
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out.flush());
}

int report_probes(const clang::tooling::CompilationDatabase& db, const std::vector<std::string>& files) {
  if (files.size() != 1 || g_recorded.empty()) {
    return fail(flor::invalid_argument("--probes needs --recorded OLDFILE and exactly one FILE"));
  }
  std::ifstream in(g_recorded, std::ios::binary);
  if (!in) return fail(flor::not_found("cannot read the recorded version " + g_recorded));
  std::string recorded_text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  flor::instr::InstrumentRequest current{files, flor::instr::Layout::kReadable, {}, /*probe_facts=*/true};
  flor::instr::InstrumentRequest recorded{files, flor::instr::Layout::kReadable, {{files[0], recorded_text}},
                                          /*probe_facts=*/true};
  // Both versions at once (a TU that includes <torch/torch.h> takes seconds to
  // parse); each ClangTool has its own compiler instance.
  auto recorded_run = std::async(std::launch::async, [&] { return flor::instr::instrument(db, recorded); });
  auto now = flor::instr::instrument(db, current);
  auto then = recorded_run.get();
  if (!now.ok()) return fail(now.status());
  if (!then.ok()) return fail(then.status());
  if (!now->front().parsed || !then->front().parsed) {
    return fail(flor::failed_precondition("cannot parse " +
                                          std::string(now->front().parsed ? "the recorded version of " : "") +
                                          files[0] + " (its compile errors are above)"));
  }
  if (!g_files_read.empty()) {
    std::set<std::string> read(now->front().files_read.begin(), now->front().files_read.end());
    read.insert(then->front().files_read.begin(), then->front().files_read.end());
    std::string lines;
    for (const std::string& f : read) lines += f + "\n";
    if (!write_file(g_files_read, lines)) return fail(flor::io_error("cannot write " + g_files_read));
  }
  const std::vector<std::string> probed =
      flor::instr::probed_blocks(then->front().block_logs, now->front().block_logs);
  if (!g_verdict.empty()) {
    const flor::instr::ProbeVerdict verdict =
        flor::instr::probe_verdict(then->front().loop_facts, now->front().loop_facts, probed);
    if (!write_file(g_verdict, verdict.complete ? "complete\n" : "incomplete: " + verdict.why + "\n"))
      return fail(flor::io_error("cannot write " + g_verdict));
  }
  for (const std::string& name : probed) std::cout << name << "\n";
  return kExitOk;
}

// Prints, diffs, checks or rewrites one outcome; returns its exit code.
int deliver(const flor::instr::FileOutcome& outcome) {
  for (const std::string& line : outcome.diagnostics) std::cerr << line << "\n";
  if (g_explain) {
    std::cout << outcome.explanation;
    return kExitOk;
  }
  if (!outcome.nothing_done.empty() && !g_check) {
    std::cerr << "flor-instrument: " << outcome.path << ": nothing instrumented: " << outcome.nothing_done << "\n";
  }
  std::string diff = flor::instr::unified_diff(outcome.original, outcome.instrumented, "a" + outcome.path,
                                               "b" + outcome.path);
  if (g_check) {
    std::cout << diff;
    return diff.empty() ? kExitOk : kExitCheckFailed;
  }
  if (g_diff) {
    std::cout << diff;
    return kExitOk;
  }
  if (g_in_place) {
    if (outcome.changed() && !write_file(outcome.path, outcome.instrumented)) {
      return fail(flor::io_error("cannot write " + outcome.path));
    }
    return kExitOk;
  }
  std::cout << outcome.instrumented;
  return kExitOk;
}

int run_tool(int argc, const char** argv) {
  auto parser = clang::tooling::CommonOptionsParser::create(
      argc, argv, g_category, llvm::cl::ZeroOrMore, "flor-instrument: hands-free flor instrumentation\n");
  if (!parser) {
    std::cerr << llvm::toString(parser.takeError()) << "\n";
    return kExitError;
  }
  if (g_list_rules) return list_rules();
  const std::vector<std::string>& files = parser->getSourcePathList();
  if (files.empty()) return fail(flor::invalid_argument("no input files (see --help)"));
  if (g_probes) return report_probes(parser->getCompilations(), files);
  const bool printed = !g_in_place && !g_diff && !g_check && !g_explain;
  flor::instr::InstrumentRequest request{
      files, printed ? flor::instr::Layout::kPrinted : flor::instr::Layout::kReadable, {}};
  auto outcomes = flor::instr::instrument(parser->getCompilations(), request);
  if (!outcomes.ok()) return fail(outcomes.status());
  int code = kExitOk;
  for (const flor::instr::FileOutcome& outcome : *outcomes) {
    if (!outcome.parsed) {
      code =
          std::max(code, fail(flor::failed_precondition("cannot parse " + outcome.path + "; left as it is")));
      continue;
    }
    code = std::max(code, deliver(outcome));
  }
  return code;
}

int instrument_main(int argc, const char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (flor::instr::is_compiler_command(args)) return exec_compiler(args);
  llvm::cl::SetVersionPrinter([](llvm::raw_ostream& os) {
    os << "flor-instrument " << FLOR_VERSION_STRING << " (Clang " << LLVM_VERSION_STRING << ")\n";
  });
  llvm::cl::HideUnrelatedOptions(g_category);
  return run_tool(argc, argv);
}

}  // namespace

int main(int argc, const char** argv) {
  // The last resort, as in flor's main: an exception that escapes is a bug,
  // said in one line instead of std::terminate's abort.
  try {
    return instrument_main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "flor-instrument: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "flor-instrument: internal error: an exception that is not a std::exception\n";
  }
  return kExitError;
}
