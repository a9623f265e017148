#include "instrumenter.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendAction.h"
#include "clang/Tooling/ArgumentsAdjusters.h"
#include "clang/Tooling/Tooling.h"
#include "explain.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "probe_scan.h"
#include "torch_types.h"

namespace flor::instr {
namespace {

using clang::ast_matchers::MatchFinder;

// One TU: match, analyze, report refusals, edit.
class InstrumentConsumer : public clang::ASTConsumer {
 public:
  InstrumentConsumer(clang::CompilerInstance& compiler, const InstrumentRequest& request,
                     std::vector<FileOutcome>& out)
      : compiler_(compiler), request_(request), out_(out) {}

  // The rules never look into library code (torch, std: is_library_decl) or
  // system headers, so their function bodies are not parsed at all, as clangd
  // does for its preambles: most of a torch TU's parse is those bodies. Bodies
  // that the declaration needs (constexpr, deduced return types) are parsed
  // anyway (Sema::canSkipFunctionBody).
  bool shouldSkipFunctionBody(clang::Decl* decl) override {
    const clang::SourceManager& sm = decl->getASTContext().getSourceManager();
    return sm.isInSystemHeader(sm.getExpansionLoc(decl->getLocation())) || is_library_decl(decl);
  }

  void HandleTranslationUnit(clang::ASTContext& ctx) override {
    clang::SourceManager& sm = ctx.getSourceManager();
    FileOutcome outcome;
    outcome.path = sm.getFileEntryForID(sm.getMainFileID())->getName().str();
    outcome.original = sm.getBufferData(sm.getMainFileID()).str();
    outcome.instrumented = outcome.original;
    if (ctx.getDiagnostics().hasErrorOccurred()) {
      out_.push_back(std::move(outcome));
      return;
    }
    outcome.parsed = true;
    for (auto it = sm.fileinfo_begin(); it != sm.fileinfo_end(); ++it) {
      if (it->first == sm.getFileEntryForID(sm.getMainFileID())) continue;
      llvm::StringRef real = it->first->tryGetRealPathName();  // absolute; the parse runs in the command's directory
      outcome.files_read.push_back(real.empty() ? absolute_path(it->first->getName().str()) : real.str());
    }
    run_rules(ctx, outcome);
    out_.push_back(std::move(outcome));
  }

 private:
  void run_rules(clang::ASTContext& ctx, FileOutcome& outcome) {
    TuState state;
    state.context = &ctx;
    std::vector<std::unique_ptr<Rule>> rules;
    MatchFinder finder;
    for (const RuleInfo& info : rule_table()) {
      rules.push_back(info.make(state));
      rules.back()->register_matchers(finder);
    }
    finder.matchAST(ctx);
    Reporter reporter(ctx.getSourceManager());
    for (auto& rule : rules) rule->analyze(reporter);
    report_refusals(state, reporter);
    EditSink sink(ctx.getSourceManager(), ctx.getLangOpts());
    for (auto& rule : rules) rule->emit(sink, request_.layout, reporter);
    outcome.instrumented = sink.result();
    outcome.diagnostics = reporter.lines();
    outcome.explanation = explain(state);
    if (!state.edited) outcome.nothing_done = why_nothing(state);
    if (request_.probe_facts) {
      outcome.block_logs = scan_block_logs(state);
      outcome.loop_facts = scan_loop_facts(state);
    }
  }

  // Why a file came out unchanged, unless a warning already said it.
  static std::string why_nothing(const TuState& state) {
    if (state.manual_api) return "it already calls flor::loop, flor::block or flor::checkpoints; left as it is";
    if (!state.main_function && !state.main_loop) {
      return "no main() in this file, and no epoch loop (a loop around a training loop, not itself over a "
             "data loader) in a function of it that nothing here calls";
    }
    if (!state.main_loop) {
      return "no training loop in main() or in a function of this file that main() calls (a loop that calls "
             "backward() or an optimizer's step(), or iterates a data loader), or it is marked // flor: skip";
    }
    return "";
  }

  static void report_refusals(const TuState& state, Reporter& reporter) {
    if (state.manual_api || !state.main_loop) return;
    for (const Refusal& r : state.main_loop->refusals) reporter.warn(r.rule, r.loc, r.message);
    if (!state.main_loop->refusals.empty()) return;
    for (const SkipBlock& block : state.blocks) {
      for (const Refusal& r : block.refusals) reporter.warn(r.rule, r.loc, r.message);
    }
  }

  clang::CompilerInstance& compiler_;
  const InstrumentRequest& request_;
  std::vector<FileOutcome>& out_;
};

class InstrumentAction : public clang::ASTFrontendAction {
 public:
  InstrumentAction(const InstrumentRequest& request, std::vector<FileOutcome>& out)
      : request_(request), out_(out) {}

  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance& compiler,
                                                        llvm::StringRef file) override {
    (void)file;
    compiler.getFrontendOpts().SkipFunctionBodies = true;  // asks the consumer, per function
    return std::make_unique<InstrumentConsumer>(compiler, request_, out_);
  }

 private:
  const InstrumentRequest& request_;
  std::vector<FileOutcome>& out_;
};

class InstrumentActionFactory : public clang::tooling::FrontendActionFactory {
 public:
  InstrumentActionFactory(const InstrumentRequest& request, std::vector<FileOutcome>& out)
      : request_(request), out_(out) {}
  std::unique_ptr<clang::FrontendAction> create() override {
    return std::make_unique<InstrumentAction>(request_, out_);
  }

 private:
  const InstrumentRequest& request_;
  std::vector<FileOutcome>& out_;
};

// CMake leaves -std= out when the compiler's default already is the standard
// asked for (g++ 11 and later default to gnu++17); clang 14 defaults to
// gnu++14, too old for LibTorch's headers. A command without -std= gets g++'s default.
clang::tooling::CommandLineArguments default_to_cxx17(const clang::tooling::CommandLineArguments& args,
                                                      llvm::StringRef /*file*/) {
  bool has_std = llvm::any_of(args, [](const std::string& a) {
    return llvm::StringRef(a).startswith("-std=") || llvm::StringRef(a).startswith("--std") || a == "-std";
  });
  if (has_std || args.empty()) return args;
  clang::tooling::CommandLineArguments out = args;
  out.insert(out.begin() + 1, "-std=gnu++17");
  return out;
}

}  // namespace

std::string absolute_path(const std::string& path) {
  llvm::SmallString<256> abs(path);
  llvm::sys::fs::make_absolute(abs);
  llvm::sys::path::remove_dots(abs, /*remove_dot_dot=*/true);
  return std::string(abs.str());
}

Result<std::vector<FileOutcome>> instrument(const clang::tooling::CompilationDatabase& db,
                                            const InstrumentRequest& request) {
  std::vector<std::string> files;
  for (const std::string& f : request.files) {
    std::string abs = absolute_path(f);
    if (!llvm::sys::fs::exists(abs)) return not_found("no such file: " + f);
    files.push_back(abs);
  }
  clang::tooling::ClangTool tool(db, files);
  // mapVirtualFile keeps StringRefs: the strings must outlive the run.
  std::vector<std::string> override_paths;
  for (const auto& entry : request.overrides) override_paths.push_back(absolute_path(entry.first));
  size_t index = 0;
  for (const auto& entry : request.overrides) tool.mapVirtualFile(override_paths[index++], entry.second);
  tool.appendArgumentsAdjuster(clang::tooling::getInsertArgumentAdjuster(
      {"-resource-dir=" FLOR_CLANG_RESOURCE_DIR, "-w", "-Wno-unknown-warning-option"},
      clang::tooling::ArgumentInsertPosition::END));
  tool.appendArgumentsAdjuster(default_to_cxx17);
  std::vector<FileOutcome> outcomes;
  InstrumentActionFactory factory(request, outcomes);
  (void)tool.run(&factory);  // a file with compile errors comes back with parsed == false
  for (const std::string& f : files) {
    bool seen = llvm::any_of(outcomes, [&](const FileOutcome& o) { return o.path == f; });
    if (!seen) return internal_error("flor-instrument could not parse " + f + " (no compile command?)");
  }
  return outcomes;
}

}  // namespace flor::instr
