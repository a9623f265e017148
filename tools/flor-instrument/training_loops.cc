#include "training_loops.h"

#include <initializer_list>
#include <set>

#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
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

// The callee's name; for a lambda, the variable that holds it (`evaluate()`).
std::string callee_name(const clang::CallExpr* call) {
  const auto* method = llvm::dyn_cast<clang::CXXMethodDecl>(call->getDirectCallee());
  const auto* op = llvm::dyn_cast<clang::CXXOperatorCallExpr>(call);
  if (method && op && method->getParent()->isLambda()) {
    if (const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(op->getArg(0)->IgnoreParenImpCasts())) {
      return ref->getDecl()->getNameAsString();
    }
  }
  return call->getDirectCallee()->getNameAsString();
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
    if (visible_definition(call->getDirectCallee()) || trains_out_of_sight(call)) return callee_name(call);
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

// Every function defined in the main file, template instantiations included;
// not a lambda's call operator, whose body counts in the function around it.
class FunctionFinder : public clang::RecursiveASTVisitor<FunctionFinder> {
 public:
  explicit FunctionFinder(const clang::SourceManager& sm) : sm_(sm) {}
  bool shouldVisitTemplateInstantiations() const { return true; }
  bool TraverseDecl(clang::Decl* decl) {
    if (decl && !llvm::isa<clang::TranslationUnitDecl>(decl) &&
        !sm_.isInMainFile(sm_.getExpansionLoc(decl->getLocation()))) {
      return true;
    }
    return RecursiveASTVisitor::TraverseDecl(decl);
  }
  bool VisitFunctionDecl(clang::FunctionDecl* fn) {
    const auto* method = llvm::dyn_cast<clang::CXXMethodDecl>(fn);
    if (fn->doesThisDeclarationHaveABody() && !fn->isDependentContext() &&
        !(method && method->getParent()->isLambda())) {
      found.push_back(fn);
    }
    return true;
  }
  std::vector<const clang::FunctionDecl*> found;

 private:
  const clang::SourceManager& sm_;
};

// The functions of the main file that `stmt` calls, lambdas' bodies included.
void collect_callees(const clang::Stmt* stmt, std::set<const clang::FunctionDecl*>& out) {
  if (!stmt) return;
  if (const auto* call = llvm::dyn_cast<clang::CallExpr>(stmt)) {
    if (const clang::FunctionDecl* def = visible_definition(call->getDirectCallee())) out.insert(def);
  }
  for (const clang::Stmt* child : stmt->children()) collect_callees(child, out);
}

bool contains_lambda(const clang::Stmt* stmt) {
  if (!stmt) return false;
  return llvm::isa<clang::LambdaExpr>(stmt) || llvm::any_of(stmt->children(), contains_lambda);
}

bool is_structural(const clang::Stmt* stmt) {
  return llvm::isa<clang::CompoundStmt, clang::IfStmt, clang::SwitchStmt, clang::SwitchCase,
                   clang::CXXTryStmt, clang::CXXCatchStmt, clang::AttributedStmt, clang::LabelStmt>(stmt);
}

// The result types a block can keep (flor::locals, default-constructible):
// tensors, numbers, std::vector / std::array / std::pair / std::tuple of
// those, and default-constructible types with a flor_state hook.
bool is_result_type(clang::QualType type) {
  Category c = classify(type);
  if (c == Category::kHooked) {
    const clang::CXXRecordDecl* record = type->getAsCXXRecordDecl();
    return record && record->hasDefinition() && record->getDefinition()->hasDefaultConstructor();
  }
  return c == Category::kTensor || c == Category::kScalar || c == Category::kSequence;
}

class BlockCollector {
 public:
  BlockCollector(TrainingScanner& scanner, const clang::ASTContext& ctx) : scanner_(scanner), ctx_(ctx) {}

  // `stmt` is in a statement's place (a compound's child, a branch); an if's
  // or switch's condition and init are not: what trains there is a call
  // whose result is used.
  void collect(const clang::Stmt* stmt, bool statement = true) {
    if (!stmt) return;
    if (const auto* branch = llvm::dyn_cast<clang::IfStmt>(stmt)) {
      collect_heads({branch->getInit(), branch->getConditionVariableDeclStmt(), branch->getCond()});
      collect(branch->getThen());
      collect(branch->getElse());
      return;
    }
    if (const auto* choice = llvm::dyn_cast<clang::SwitchStmt>(stmt)) {
      collect_heads({choice->getInit(), choice->getConditionVariableDeclStmt(), choice->getCond()});
      collect(choice->getBody());
      return;
    }
    if (is_structural(stmt)) {
      for (const clang::Stmt* child : stmt->children()) collect(child);
      return;
    }
    if (!scanner_.contains_training_loop(stmt)) return;
    add(stmt, statement);
  }

  std::vector<SkipBlock> take() { return std::move(blocks_); }

 private:
  void collect_heads(std::initializer_list<const clang::Stmt*> heads) {
    for (const clang::Stmt* head : heads) collect(head, false);
  }

  void add(const clang::Stmt* stmt, bool statement) {
    if (has_skip_marker(ctx_, stmt)) return;  // `// flor: skip`: left alone, silently
    SkipBlock block;
    block.stmt = stmt;
    if (llvm::isa<clang::CXXForRangeStmt>(stmt)) {
      block.kind = BlockKind::kRangeLoop;
    } else if (is_loop(stmt)) {
      block.kind = BlockKind::kOtherLoop;
    } else if (statement && llvm::isa<clang::Expr>(stmt)) {
      block.kind = BlockKind::kCall;  // `train(...);`, `loss_sum += train(...);`: the whole statement
    } else {
      add_result(block, stmt);
      return;
    }
    block.name = unique_name(block_name(stmt), names_);
    blocks_.push_back(std::move(block));
  }

  // `double loss = train(...);`, `if (train(...))`: the one training call in
  // the statement is the block, its result returned through it.
  void add_result(SkipBlock& block, const clang::Stmt* stmt) {
    std::vector<const clang::CallExpr*> calls = training_calls(stmt);
    if (calls.empty() && contains_lambda(stmt))
      return;  // `auto evaluate = [&] { ... };`: defines, runs nothing
    block.kind = BlockKind::kResult;
    if (calls.size() == 1) block.stmt = calls[0];
    block.name = unique_name(calls.size() == 1 ? callee_name(calls[0]) : block_name(stmt), names_);
    std::string refused = "block '" + block.name + "' is not skipped: ";
    if (calls.size() != 1) {
      refused += calls.empty() ? "it trains, but not in a call flor can wrap"
                               : "the statement makes " + std::to_string(calls.size()) + " training calls";
    } else if (calls[0]->getCallReturnType(ctx_)->isReferenceType()) {
      refused += "its result is used, and it is a reference (a skipped block can restore only a value)";
    } else if (!is_result_type(calls[0]->getType())) {
      refused +=
          "its result (" + calls[0]->getType().getAsString() +
          ") is used, and flor keeps a result only "
          "of a type it checkpoints (a tensor, a number, std::vector / std::pair / std::tuple of those, a "
          "default-constructible type with a flor_state hook, flor/state.h)";
    } else {
      blocks_.push_back(std::move(block));
      return;
    }
    block.refusals.push_back({"skip-block", stmt->getBeginLoc(), refused + "; it always runs"});
    blocks_.push_back(std::move(block));
  }

  // The outermost calls in `stmt` into code that trains (a visible
  // definition with a training loop, or a call out of sight that takes an optimizer).
  std::vector<const clang::CallExpr*> training_calls(const clang::Stmt* stmt) {
    std::vector<const clang::CallExpr*> out;
    if (!stmt || llvm::isa<clang::LambdaExpr>(stmt)) return out;
    if (const auto* call = llvm::dyn_cast<clang::CallExpr>(stmt)) {
      const clang::FunctionDecl* def = visible_definition(call->getDirectCallee());
      if ((def && scanner_.trains(def)) || trains_out_of_sight(call)) return {call};
    }
    for (const clang::Stmt* child : stmt->children()) {
      std::vector<const clang::CallExpr*> inner = training_calls(child);
      out.insert(out.end(), inner.begin(), inner.end());
    }
    return out;
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

bool contains_return(const clang::Stmt* stmt) {
  if (!stmt || llvm::isa<clang::LambdaExpr>(stmt)) return false;
  if (llvm::isa<clang::ReturnStmt, clang::GotoStmt>(stmt)) return true;
  return llvm::any_of(stmt->children(), contains_return);
}

bool TrainingScanner::contains_training_loop(const clang::Stmt* stmt) {
  return scan(stmt, 0).training_loop;
}

bool TrainingScanner::trains(const clang::FunctionDecl* function) {
  return scan_function(function, 1).training_loop;  // depth 1: as reached from a call in a statement
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

std::vector<const clang::FunctionDecl*> main_file_functions(const clang::ASTContext& ctx) {
  FunctionFinder finder(ctx.getSourceManager());
  finder.TraverseDecl(ctx.getTranslationUnitDecl());
  return finder.found;
}

std::optional<MainLoop> find_entry_loop(TrainingScanner& scanner, const clang::ASTContext& ctx) {
  const std::vector<const clang::FunctionDecl*> functions = main_file_functions(ctx);
  std::set<const clang::FunctionDecl*> called;
  for (const clang::FunctionDecl* fn : functions) {
    std::set<const clang::FunctionDecl*> callees;
    collect_callees(fn->getBody(), callees);
    callees.erase(fn);
    called.insert(callees.begin(), callees.end());
  }
  std::vector<MainLoop> found;
  for (const clang::FunctionDecl* fn : functions) {
    if (called.count(fn)) continue;
    const clang::Stmt* loop = find_epoch_loop(scanner, fn->getBody());
    if (!loop || loops_over_loader(loop) || has_skip_marker(ctx, loop)) continue;
    MainLoop main_loop;
    main_loop.loop = loop;
    main_loop.function = fn;
    found.push_back(main_loop);
  }
  if (found.empty()) return std::nullopt;
  if (found.size() > 1) {
    std::string names;
    for (const MainLoop& m : found) {
      names += (names.empty() ? "" : ", ") + m.function->getNameAsString() + "()";
    }
    found.front().refusals.push_back(
        {"main-loop", found.front().loop->getBeginLoc(),
         "no main() in this file, and epoch loops in " + std::to_string(found.size()) +
             " functions that nothing here calls (" + names +
             "): which one main() runs as the main loop is out of sight; mark the others // flor: skip"});
  }
  return found.front();
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
