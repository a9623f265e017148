#include "probe_scan.h"

#include <algorithm>
#include <set>

#include "api_spelling.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "source_text.h"
#include "training_loops.h"

namespace flor::instr {
namespace {

std::string qualified(const clang::FunctionDecl* fn) { return fn ? "::" + fn->getQualifiedNameAsString() : ""; }

std::string string_argument(const clang::CallExpr* call, unsigned index) {
  if (call->getNumArgs() <= index) return "?";
  const auto* literal = llvm::dyn_cast<clang::StringLiteral>(call->getArg(index)->IgnoreParenImpCasts());
  return literal ? literal->getString().str() : "?";
}

class LogCollector {
 public:
  void collect(const clang::Stmt* stmt, std::vector<std::string>& out) {
    if (!stmt) return;
    if (const auto* call = llvm::dyn_cast<clang::CallExpr>(stmt)) {
      const clang::FunctionDecl* callee = call->getDirectCallee();
      if (qualified(callee) == api::kLogCall) out.push_back(string_argument(call, 0));
      const clang::FunctionDecl* def = visible_definition(callee);
      if (def && visiting_.insert(def).second) {
        collect(def->getBody(), out);
        visiting_.erase(def);
      }
    }
    for (const clang::Stmt* child : stmt->children()) collect(child, out);
  }

 private:
  std::set<const clang::FunctionDecl*> visiting_;
};

bool is_structural_call(const clang::Stmt* stmt) {
  const auto* call = llvm::dyn_cast<clang::CallExpr>(stmt);
  if (!call) return false;
  std::string name = qualified(call->getDirectCallee());
  return name == "::flor::loop" || name == "::flor::block";
}

bool contains_structural_call(const clang::Stmt* stmt) {
  if (!stmt) return false;
  if (is_structural_call(stmt)) return true;
  return llvm::any_of(stmt->children(), contains_structural_call);
}

// The flor::loop range-fors and flor::block calls of the main file's function
// bodies, as the runtime sees them: the outermost one is the main loop, and
// those directly inside it are its blocks, whose logs (deeper loops included)
// count under their names; a main loop without blocks is a step loop and its
// logs count under its own name.
class ManualBlockFinder {
 public:
  explicit ManualBlockFinder(std::map<std::string, std::vector<std::string>>& out) : out_(out) {}

  void visit(const clang::Stmt* stmt, bool in_main_loop = false) {
    if (!stmt) return;
    const clang::CallExpr* structure = nullptr;
    const clang::Stmt* body = nullptr;
    if (const auto* range_for = llvm::dyn_cast<clang::CXXForRangeStmt>(stmt)) {
      const clang::Expr* init = range_for->getRangeInit()->IgnoreImplicit();
      if (is_structural_call(init)) {
        structure = llvm::cast<clang::CallExpr>(init);
        body = range_for->getBody();
      }
    } else if (const auto* call = llvm::dyn_cast<clang::CallExpr>(stmt)) {
      if (qualified(call->getDirectCallee()) == "::flor::block" && call->getNumArgs() >= 2) {
        structure = call;
        body = call->getArg(1);
      }
    }
    if (structure && (in_main_loop || !contains_structural_call(body))) {
      logs_.collect(body, out_[string_argument(structure, 0)]);
      return;
    }
    for (const clang::Stmt* child : stmt->children()) visit(child, in_main_loop || structure != nullptr);
  }

 private:
  std::map<std::string, std::vector<std::string>>& out_;
  LogCollector logs_;
};

void scan_manual(const clang::ASTContext& ctx, std::map<std::string, std::vector<std::string>>& out) {
  const clang::SourceManager& sm = ctx.getSourceManager();
  ManualBlockFinder finder(out);
  for (const clang::Decl* decl : ctx.getTranslationUnitDecl()->decls()) {
    if (!sm.isInMainFile(sm.getExpansionLoc(decl->getLocation()))) continue;
    const clang::FunctionDecl* fn = decl->getAsFunction();
    if (fn && fn->hasBody()) finder.visit(fn->getBody());
  }
}

// A function as both versions of the file name it.
std::string function_key(const clang::FunctionDecl* fn) {
  return fn->getQualifiedNameAsString() + "\t" + fn->getType().getAsString();
}

// The visible functions `fn` calls, directly or not, `fn` included.
void reach(const clang::Stmt* stmt, std::set<std::string>& out) {
  if (!stmt) return;
  if (const auto* call = llvm::dyn_cast<clang::CallExpr>(stmt)) {
    const clang::FunctionDecl* def = visible_definition(call->getDirectCallee());
    if (def && out.insert(function_key(def)).second) reach(def->getBody(), out);
  }
  for (const clang::Stmt* child : stmt->children()) reach(child, out);
}

// The outermost flor::loop of a main-file function, when no flor::block is in
// it: a manual-API step loop.
const clang::CXXForRangeStmt* manual_step_loop(const clang::Stmt* stmt) {
  if (!stmt) return nullptr;
  if (const auto* range_for = llvm::dyn_cast<clang::CXXForRangeStmt>(stmt)) {
    const clang::Expr* init = range_for->getRangeInit()->IgnoreImplicit();
    if (is_structural_call(init) &&
        qualified(llvm::cast<clang::CallExpr>(init)->getDirectCallee()) == "::flor::loop") {
      return contains_structural_call(range_for->getBody()) ? nullptr : range_for;
    }
  }
  for (const clang::Stmt* child : stmt->children()) {
    if (const auto* found = manual_step_loop(child)) return found;
  }
  return nullptr;
}

}  // namespace

LoopFacts scan_loop_facts(const TuState& state) {
  LoopFacts facts;
  const clang::ASTContext& ctx = *state.context;
  const std::vector<const clang::FunctionDecl*> functions = main_file_functions(ctx);
  LogCollector logs;
  for (const clang::FunctionDecl* fn : functions) {
    std::vector<std::string>& out = facts.function_logs[function_key(fn)];
    logs.collect(fn->getBody(), out);
    std::sort(out.begin(), out.end());
  }
  if (state.main_function) {
    facts.reached.insert(function_key(state.main_function));
    reach(state.main_function->getBody(), facts.reached);
  }
  const clang::Stmt* loop = nullptr;
  if (state.main_loop && state.main_loop->step_loop) {
    loop = state.main_loop->loop;
    facts.step_loop = main_loop_name(*state.main_loop);
  } else if (state.manual_api) {
    for (const clang::FunctionDecl* fn : functions) {
      if (const clang::CXXForRangeStmt* found = manual_step_loop(fn->getBody())) {
        loop = found;
        facts.step_loop = string_argument(llvm::cast<clang::CallExpr>(found->getRangeInit()->IgnoreImplicit()), 0);
        break;
      }
    }
  }
  if (loop) facts.step_loop_text = text_of(ctx, loop->getSourceRange());
  return facts;
}

std::map<std::string, std::vector<std::string>> scan_block_logs(const TuState& state) {
  std::map<std::string, std::vector<std::string>> out;
  if (state.manual_api) {
    scan_manual(*state.context, out);
  } else if (state.main_loop) {
    LogCollector logs;
    for (const SkipBlock& block : state.blocks) logs.collect(block.stmt, out[block.name]);
  }
  for (auto& [name, logs] : out) std::sort(logs.begin(), logs.end());
  return out;
}

}  // namespace flor::instr
