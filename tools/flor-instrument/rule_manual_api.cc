// manual-api: a file that already calls flor::loop, flor::block or
// flor::checkpoints is the user's (or our own earlier output): leave it alone.
// This is also what makes instrumenting twice a no-op.
#include "api_spelling.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "rules.h"

namespace flor::instr {
namespace {

using namespace clang::ast_matchers;  // NOLINT(google-build-using-namespace)

class ManualApiRule : public Rule {
 public:
  using Rule::Rule;

  void register_matchers(MatchFinder& finder) override {
    std::vector<llvm::StringRef> names(api::kStructuralCalls.begin(), api::kStructuralCalls.end());
    finder.addMatcher(callExpr(isExpansionInMainFile(), callee(functionDecl(hasAnyName(names)))), this);
    // Inside templates that are never instantiated the call stays unresolved.
    finder.addMatcher(unresolvedLookupExpr(isExpansionInMainFile()).bind("unresolved"), this);
  }

 protected:
  void check(const MatchFinder::MatchResult& result) override {
    const auto* unresolved = result.Nodes.getNodeAs<clang::UnresolvedLookupExpr>("unresolved");
    if (!unresolved) {
      state_.manual_api = true;
      return;
    }
    for (const clang::NamedDecl* decl : unresolved->decls()) {
      std::string name = "::" + decl->getQualifiedNameAsString();
      for (const std::string& api_name : api::kStructuralCalls) {
        if (name == api_name) state_.manual_api = true;
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_manual_api_rule(TuState& state) { return std::make_unique<ManualApiRule>(state); }

}  // namespace flor::instr
