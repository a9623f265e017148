#include "training_loops.h"

#include <set>

#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "source_text.h"

namespace flor::instr {
namespace {

constexpr int kMaxCallDepth = 6;

bool is_step_call(const clang::CallExpr* call) {
  const auto* member = llvm::dyn_cast<clang::CXXMemberCallExpr>(call);
  if (!member || !member->getMethodDecl()) return false;
  llvm::StringRef name = member->getMethodDecl()->getName();
  if (name == "backward") return true;
  return name == "step" && member->getImplicitObjectArgument() &&
         classify(member->getImplicitObjectArgument()->getType()) == Category::kOptimizer;
}

// A call to user code whose definition is out of sight (another translation
// unit) that takes an optimizer it may change: assumed to train, a loop inside
// (`train_epoch(model, *loader, optimizer)` defined in train.cc). Wrongly
// assumed, the call still makes a correct skip block: its side-effect set
// holds every argument it may change.
bool trains_out_of_sight(const clang::CallExpr* call) {
  const clang::FunctionDecl* callee = call->getDirectCallee();
  if (!callee || is_library_decl(callee) || visible_definition(callee)) return false;
  return llvm::any_of(callee->parameters(), [](const clang::ParmVarDecl* param) {
    return is_mutable_indirection(param->getType()) && classify(param->getType()) == Category::kOptimizer;
  });
}

bool loops_over_loader(const clang::Stmt* loop) {
  const auto* range_for = llvm::dyn_cast<clang::CXXForRangeStmt>(loop);
  return range_for && classify(range_for->getRangeInit()->getType()) == Category::kDataLoader;
}

void collect_calls(const clang::Stmt* stmt, std::vector<const clang::CallExpr*>& out) {
  if (!stmt || llvm::isa<clang::LambdaExpr>(stmt)) return;
  if (const auto* call = llvm::dyn_cast<clang::CallExpr>(stmt)) out.push_back(call);
  for (const clang::Stmt* child : stmt->children()) collect_calls(child, out);
}

std::string block_name(const clang::Stmt* stmt) {
  if (const auto* range_for = llvm::dyn_cast<clang::CXXForRangeStmt>(stmt)) {
    const clang::VarDecl* var = range_for->getLoopVariable();
    if (var && var->getIdentifier()) return var->getName().str();
    return "batch";
  }
  if (is_loop(stmt)) return "loop";
  std::vector<const clang::CallExpr*> calls;
  collect_calls(stmt, calls);
  for (const clang::CallExpr* call : calls) {  // the first call into user code
    if (visible_definition(call->getDirectCallee()) || trains_out_of_sight(call)) {
      return call->getDirectCallee()->getNameAsString();
    }
  }
  return "block";
}

// Makes names unique within the TU: train, train_2, ...
std::string unique_name(const std::string& name, std::set<std::string>& taken) {
  std::string candidate = name;
  for (int n = 2; !taken.insert(candidate).second; ++n) candidate = name + "_" + std::to_string(n);
  return candidate;
}

const clang::Stmt* find_epoch_loop(TrainingScanner& scanner, const clang::Stmt* stmt) {
  if (!stmt || llvm::isa<clang::LambdaExpr>(stmt)) return nullptr;
  if (is_loop(stmt)) {
    return scanner.contains_training_loop(loop_body(stmt)) ? stmt : nullptr;
  }
  for (const clang::Stmt* child : stmt->children()) {
    if (const clang::Stmt* found = find_epoch_loop(scanner, child)) return found;
  }
  return nullptr;
}

// The outermost loop that trains by itself (no nested training loop).
const clang::Stmt* find_step_loop(TrainingScanner& scanner, const clang::Stmt* stmt) {
  if (!stmt || llvm::isa<clang::LambdaExpr>(stmt)) return nullptr;
  if (is_loop(stmt) && scanner.steps(stmt)) return stmt;
  for (const clang::Stmt* child : stmt->children()) {
    if (const clang::Stmt* found = find_step_loop(scanner, child)) return found;
  }
  return nullptr;
}

bool is_structural(const clang::Stmt* stmt) {
  return llvm::isa<clang::CompoundStmt, clang::IfStmt, clang::SwitchStmt, clang::SwitchCase,
                   clang::CXXTryStmt, clang::CXXCatchStmt, clang::AttributedStmt, clang::LabelStmt>(stmt);
}

class BlockCollector {
 public:
  BlockCollector(TrainingScanner& scanner, const clang::ASTContext& ctx) : scanner_(scanner), ctx_(ctx) {}

  void collect(const clang::Stmt* stmt) {
    if (!stmt) return;
    if (is_structural(stmt)) {
      for (const clang::Stmt* child : stmt->children()) collect(child);
      return;
    }
    if (!scanner_.contains_training_loop(stmt)) return;
    add(stmt);
  }

  std::vector<SkipBlock> take() { return std::move(blocks_); }

 private:
  void add(const clang::Stmt* stmt) {
    SkipBlock block;
    block.stmt = stmt;
    block.name = unique_name(block_name(stmt), names_);
    if (llvm::isa<clang::CXXForRangeStmt>(stmt)) {
      block.kind = BlockKind::kRangeLoop;
    } else if (is_loop(stmt)) {
      block.kind = BlockKind::kOtherLoop;
    } else {
      block.kind = BlockKind::kCall;
      if (!as_call_statement(stmt)) {
        block.refusals.push_back({"skip-block", stmt->getBeginLoc(),
                                  "block '" + block.name + "' is not skipped: the call is part of a larger "
                                  "statement (its result is used); it always runs"});
      }
    }
    if (has_skip_marker(ctx_, stmt)) return;  // `// flor: skip`: left alone, silently
    blocks_.push_back(std::move(block));
  }

  TrainingScanner& scanner_;
  const clang::ASTContext& ctx_;
  std::set<std::string> names_{"epoch", "step"};
  std::vector<SkipBlock> blocks_;
};

}  // namespace

bool is_loop(const clang::Stmt* stmt) {
  return llvm::isa<clang::ForStmt, clang::CXXForRangeStmt, clang::WhileStmt, clang::DoStmt>(stmt);
}

const clang::Stmt* loop_body(const clang::Stmt* loop) {
  if (const auto* s = llvm::dyn_cast<clang::ForStmt>(loop)) return s->getBody();
  if (const auto* s = llvm::dyn_cast<clang::CXXForRangeStmt>(loop)) return s->getBody();
  if (const auto* s = llvm::dyn_cast<clang::WhileStmt>(loop)) return s->getBody();
  if (const auto* s = llvm::dyn_cast<clang::DoStmt>(loop)) return s->getBody();
  return nullptr;
}

const clang::FunctionDecl* visible_definition(const clang::FunctionDecl* callee) {
  if (!callee) return nullptr;
  const clang::FunctionDecl* def = callee->getDefinition();
  if (!def || !def->hasBody() || is_library_decl(def)) return nullptr;
  return def;
}

const clang::CallExpr* as_call_statement(const clang::Stmt* stmt) {
  const auto* expr = llvm::dyn_cast_or_null<clang::Expr>(stmt);
  if (!expr) return nullptr;
  expr = expr->IgnoreImplicit();
  if (const auto* cast = llvm::dyn_cast<clang::CStyleCastExpr>(expr)) {  // (void)f(...);
    expr = cast->getSubExpr()->IgnoreImplicit();
  }
  const auto* call = llvm::dyn_cast<clang::CallExpr>(expr);
  return call && call->getDirectCallee() ? call : nullptr;
}

bool contains_return(const clang::Stmt* stmt) {
  if (!stmt || llvm::isa<clang::LambdaExpr>(stmt)) return false;
  if (llvm::isa<clang::ReturnStmt, clang::GotoStmt>(stmt)) return true;
  return llvm::any_of(stmt->children(), contains_return);
}

bool TrainingScanner::contains_training_loop(const clang::Stmt* stmt) {
  return scan(stmt, 0).training_loop;
}

bool TrainingScanner::steps(const clang::Stmt* stmt) { return scan(stmt, 0).steps; }

const char* main_loop_name(const MainLoop& main_loop) { return main_loop.step_loop ? "step" : "epoch"; }

TrainingScanner::Summary TrainingScanner::scan(const clang::Stmt* stmt, int depth) {
  Summary out;
  if (!stmt) return out;
  if (const auto* call = llvm::dyn_cast<clang::CallExpr>(stmt)) {
    out.steps = is_step_call(call);
    if (const clang::FunctionDecl* def = visible_definition(call->getDirectCallee())) {
      out.merge(scan_function(def, depth + 1));
    } else if (trains_out_of_sight(call)) {
      out.steps = out.training_loop = true;
    }
  }
  for (const clang::Stmt* child : stmt->children()) out.merge(scan(child, depth));
  if (is_loop(stmt)) out.training_loop |= out.steps || loops_over_loader(stmt);
  return out;
}

TrainingScanner::Summary TrainingScanner::scan_function(const clang::FunctionDecl* function, int depth) {
  auto it = functions_.find(function);
  if (it != functions_.end()) return it->second;
  if (depth > kMaxCallDepth) return {};
  functions_[function] = {};  // recursion guard
  Summary summary = scan(function->getBody(), depth);
  functions_[function] = summary;
  return summary;
}

std::optional<MainLoop> find_main_loop(TrainingScanner& scanner, const clang::ASTContext& ctx,
                                       const clang::FunctionDecl* main_function) {
  const clang::SourceManager& sm = ctx.getSourceManager();
  std::vector<const clang::FunctionDecl*> candidates{main_function};
  std::vector<const clang::CallExpr*> calls;
  collect_calls(main_function->getBody(), calls);
  for (const clang::CallExpr* call : calls) {
    const clang::FunctionDecl* def = visible_definition(call->getDirectCallee());
    if (def && sm.isInMainFile(sm.getExpansionLoc(def->getBeginLoc()))) candidates.push_back(def);
  }
  for (bool step_loop : {false, true}) {
    for (const clang::FunctionDecl* fn : candidates) {
      const clang::Stmt* loop = step_loop ? find_step_loop(scanner, fn->getBody()) : find_epoch_loop(scanner, fn->getBody());
      if (!loop) continue;
      if (has_skip_marker(ctx, loop)) return std::nullopt;
      MainLoop main_loop;
      main_loop.loop = loop;
      main_loop.function = fn;
      main_loop.step_loop = step_loop;
      return main_loop;
    }
  }
  return std::nullopt;
}

std::vector<SkipBlock> find_blocks(TrainingScanner& scanner, const clang::ASTContext& ctx,
                                   const MainLoop& main_loop) {
  if (main_loop.step_loop) {
    SkipBlock whole;
    whole.kind = BlockKind::kStepLoop;
    whole.stmt = main_loop.loop;
    whole.name = main_loop_name(main_loop);
    return {whole};
  }
  BlockCollector collector(scanner, ctx);
  collector.collect(loop_body(main_loop.loop));
  return collector.take();
}

}  // namespace flor::instr
