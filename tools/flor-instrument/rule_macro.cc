// macro: a main loop or skip block that is (or is inside) a macro expansion
// cannot be edited safely; it is diagnosed and runs as written.
#include "clang/AST/StmtCXX.h"
#include "clang/Lex/Lexer.h"
#include "rules.h"

namespace flor::instr {
namespace {

constexpr const char* kRule = "macro";

class MacroRule : public Rule {
 public:
  using Rule::Rule;

  void analyze(Reporter& reporter) override {
    (void)reporter;
    if (state_.manual_api || !state_.main_loop) return;
    MainLoop& main_loop = *state_.main_loop;
    if (in_macro(main_loop.loop)) {
      main_loop.refusals.push_back({kRule, main_loop.loop->getBeginLoc(),
                                    "the main loop is inside macro '" + macro_name(main_loop.loop) +
                                        "': not instrumented (expand the macro to instrument it)"});
    }
    for (SkipBlock& block : state_.blocks) {
      if (!in_macro(block.stmt)) continue;
      block.refusals.push_back({kRule, block.stmt->getBeginLoc(),
                                "block '" + block.name + "' is inside macro '" + macro_name(block.stmt) +
                                    "': not edited; it always runs"});
    }
  }

 private:
  static bool in_macro(const clang::Stmt* stmt) {
    if (stmt->getBeginLoc().isMacroID() || stmt->getEndLoc().isMacroID()) return true;
    const auto* range_for = llvm::dyn_cast<clang::CXXForRangeStmt>(stmt);
    return range_for && (range_for->getRangeInit()->getBeginLoc().isMacroID() ||
                         range_for->getRangeInit()->getEndLoc().isMacroID());
  }

  std::string macro_name(const clang::Stmt* stmt) const {
    clang::SourceLocation loc = stmt->getBeginLoc();
    if (!loc.isMacroID()) loc = stmt->getEndLoc();
    if (const auto* range_for = llvm::dyn_cast<clang::CXXForRangeStmt>(stmt); range_for && !loc.isMacroID()) {
      loc = range_for->getRangeInit()->getBeginLoc();
    }
    const clang::ASTContext& ctx = *state_.context;
    return clang::Lexer::getImmediateMacroNameForDiagnostics(loc, ctx.getSourceManager(), ctx.getLangOpts()).str();
  }
};

}  // namespace

std::unique_ptr<Rule> make_macro_rule(TuState& state) { return std::make_unique<MacroRule>(state); }

}  // namespace flor::instr
