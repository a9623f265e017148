// main-loop: finds the epoch loop, or else the step loop (training_loops.h),
// and turns its head into flor::loop("epoch", ...) (flor::loop("step", ...)).
// Counted `for` loops need the shape `for (T v = A; v < B (or <=, !=); ++v)`
// with v not written in the body; anything else is diagnosed and the file is
// left alone.
#include "api_spelling.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "clang/Lex/Lexer.h"
#include "rules.h"
#include "side_effects.h"
#include "source_text.h"
#include "training_loops.h"

namespace flor::instr {
namespace {

using namespace clang::ast_matchers;  // NOLINT(google-build-using-namespace)

constexpr const char* kRule = "main-loop";


// The parts of `for (T v = A; v < B; ++v)`, as source text.
struct CountedHead {
  std::string type, var, begin, end;
};

const clang::VarDecl* single_var(const clang::Stmt* init) {
  const auto* decl_stmt = llvm::dyn_cast_or_null<clang::DeclStmt>(init);
  if (!decl_stmt || !decl_stmt->isSingleDecl()) return nullptr;
  const auto* var = llvm::dyn_cast<clang::VarDecl>(decl_stmt->getSingleDecl());
  return var && var->getInit() ? var : nullptr;
}

bool refers_to(const clang::Expr* expr, const clang::VarDecl* var) {
  const auto* ref = llvm::dyn_cast_or_null<clang::DeclRefExpr>(expr ? expr->IgnoreParenImpCasts() : nullptr);
  return ref && ref->getDecl() == var;
}

bool is_unit_increment(const clang::Expr* inc, const clang::VarDecl* var) {
  inc = inc ? inc->IgnoreParenImpCasts() : nullptr;
  if (const auto* unary = llvm::dyn_cast_or_null<clang::UnaryOperator>(inc)) {
    return unary->isIncrementOp() && refers_to(unary->getSubExpr(), var);
  }
  if (const auto* compound = llvm::dyn_cast_or_null<clang::CompoundAssignOperator>(inc)) {
    const auto* one = llvm::dyn_cast<clang::IntegerLiteral>(compound->getRHS()->IgnoreParenImpCasts());
    return compound->getOpcode() == clang::BO_AddAssign && refers_to(compound->getLHS(), var) && one &&
           one->getValue() == 1;
  }
  return false;
}

std::string plus_one(const std::string& expr) {
  bool simple = llvm::all_of(expr, [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
  return (simple ? expr : "(" + expr + ")") + " + 1";
}

// The end bound from `v < B`, `v <= B`, `v != B`, `B > v`, `B >= v`.
std::optional<std::string> end_bound(const clang::ASTContext& ctx, const clang::Expr* cond, const clang::VarDecl* var) {
  const auto* bin = llvm::dyn_cast_or_null<clang::BinaryOperator>(cond ? cond->IgnoreParenImpCasts() : nullptr);
  if (!bin) return std::nullopt;
  clang::BinaryOperatorKind op = bin->getOpcode();
  const clang::Expr* bound = nullptr;
  if (refers_to(bin->getLHS(), var)) {
    bound = bin->getRHS();
  } else if (refers_to(bin->getRHS(), var)) {
    bound = bin->getLHS();
    op = op == clang::BO_GT ? clang::BO_LT : op == clang::BO_GE ? clang::BO_LE : op == clang::BO_NE ? op : clang::BO_Comma;
  } else {
    return std::nullopt;
  }
  std::string text = text_of(ctx, bound->getSourceRange());
  if (text.empty()) return std::nullopt;
  if (op == clang::BO_LT || op == clang::BO_NE) return text;
  if (op == clang::BO_LE) return plus_one(text);
  return std::nullopt;
}

bool is_direct_child(const clang::Stmt* parent_scope, const clang::Stmt* target) {
  if (!parent_scope || llvm::isa<clang::LambdaExpr>(parent_scope)) return false;
  if (const auto* compound = llvm::dyn_cast<clang::CompoundStmt>(parent_scope)) {
    if (llvm::is_contained(compound->body(), target)) return true;
  }
  return llvm::any_of(parent_scope->children(), [&](const clang::Stmt* c) { return is_direct_child(c, target); });
}

class MainLoopRule : public Rule {
 public:
  using Rule::Rule;

  void register_matchers(MatchFinder& finder) override {
    finder.addMatcher(functionDecl(isExpansionInMainFile(), isDefinition(), isMain()).bind("main"), this);
  }

  void analyze(Reporter& reporter) override {
    (void)reporter;
    if (state_.manual_api) return;
    state_.main_loop = state_.main_function ? find_main_loop(scanner_, *state_.context, state_.main_function)
                                            : find_entry_loop(scanner_, *state_.context);
    if (!state_.main_loop) return;
    MainLoop& main_loop = *state_.main_loop;
    if (!is_direct_child(main_loop.function->getBody(), main_loop.loop)) {
      refuse("the main loop is not directly in a block of statements, so flor::checkpoints cannot go before it");
    }
    if (const auto* for_stmt = llvm::dyn_cast<clang::ForStmt>(main_loop.loop)) {
      if (!counted_head(for_stmt)) {
        refuse("the main loop's head is not of the form `for (T v = A; v < B; ++v)` (or <=, !=, v += 1) with v "
               "unchanged in the body; write it so, or use flor::loop by hand");
      }
    } else if (const auto* range_for = llvm::dyn_cast<clang::CXXForRangeStmt>(main_loop.loop)) {
      if (llvm::isa<clang::InitListExpr>(range_for->getRangeInit()->IgnoreImplicit())) {
        refuse("the main loop iterates a braced list; name the container first");
      }
    } else if (const auto* while_stmt = llvm::dyn_cast<clang::WhileStmt>(main_loop.loop)) {
      if (while_stmt->getConditionVariable()) refuse("the main loop's condition declares a variable");
    } else {
      refuse("a do-while main loop is not supported; use while or for");
    }
  }

  void emit(EditSink& sink, Layout layout, Reporter& reporter) override {
    (void)layout;
    if (!state_.instrumentable()) return;
    const clang::Stmt* loop = state_.main_loop->loop;
    Status status;
    if (const auto* for_stmt = llvm::dyn_cast<clang::ForStmt>(loop)) {
      status = emit_counted(for_stmt, sink);
    } else if (const auto* range_for = llvm::dyn_cast<clang::CXXForRangeStmt>(loop)) {
      status = emit_range(range_for, sink);
    } else if (const auto* while_stmt = llvm::dyn_cast<clang::WhileStmt>(loop)) {
      status = emit_while(while_stmt, sink);
    }
    report_edit(status, kRule, loop->getBeginLoc(), reporter);
    if (status.ok()) state_.edited = true;
  }

 protected:
  void check(const MatchFinder::MatchResult& result) override {
    state_.main_function = result.Nodes.getNodeAs<clang::FunctionDecl>("main");
  }

 private:
  void refuse(const std::string& why) {
    state_.main_loop->refusals.push_back({kRule, state_.main_loop->loop->getBeginLoc(), why});
  }

  std::optional<CountedHead> counted_head(const clang::ForStmt* loop) {
    const clang::VarDecl* var = single_var(loop->getInit());
    if (!var || !is_unit_increment(loop->getInc(), var)) return std::nullopt;
    std::optional<std::string> end = end_bound(*state_.context, loop->getCond(), var);
    if (!end) return std::nullopt;
    SideEffectAnalyzer effects(*state_.context);
    if (effects.mutations_of(loop->getBody(), loop->getBody()->getSourceRange()).vars.count(var)) return std::nullopt;
    CountedHead head{text_of(*state_.context, var->getTypeSourceInfo()->getTypeLoc().getSourceRange()),
                     var->getNameAsString(), text_of(*state_.context, var->getInit()->getSourceRange()), *end};
    if (head.type.empty() || head.begin.empty()) return std::nullopt;
    return head;
  }

  Status emit_counted(const clang::ForStmt* loop, EditSink& sink) {
    CountedHead head = *counted_head(loop);
    auto range = clang::CharSourceRange::getTokenRange(loop->getInit()->getBeginLoc(), loop->getInc()->getEndLoc());
    return sink.replace(range, head.type + " " + head.var + " : " + api::counted_loop(name(), head.begin, head.end));
  }

  Status emit_range(const clang::CXXForRangeStmt* loop, EditSink& sink) {
    clang::SourceRange init = loop->getRangeInit()->getSourceRange();
    FLOR_RETURN_IF_ERROR(sink.insert_before(init.getBegin(), api::range_loop_prefix(name())));
    return sink.insert_after_token(init.getEnd(), api::range_loop_suffix());
  }

  // while (C) S  ->  for ([[maybe_unused]] int64_t flor_epoch : flor::loop("epoch")) { if (!(C)) break; S }
  // (flor_step and "step" for a step loop)
  Status emit_while(const clang::WhileStmt* loop, EditSink& sink) {
    std::string cond = text_of(*state_.context, loop->getCond()->getSourceRange());
    if (cond.empty()) return failed_precondition("the loop condition is inside a macro");
    std::string head = std::string("for ([[maybe_unused]] int64_t flor_") + name() + " : " + api::open_loop(name()) + ")";
    FLOR_RETURN_IF_ERROR(
        sink.replace(clang::CharSourceRange::getTokenRange(loop->getWhileLoc(), loop->getRParenLoc()), head));
    std::string guard = " if (!(" + cond + ")) break;";
    const clang::Stmt* body = loop->getBody();
    if (const auto* compound = llvm::dyn_cast<clang::CompoundStmt>(body)) {
      return sink.insert_after_token(compound->getLBracLoc(), guard);
    }
    FLOR_RETURN_IF_ERROR(sink.insert_before(body->getBeginLoc(), "{" + guard + " "));
    return sink.insert_at(statement_range(*state_.context, body).getEnd(), " }");
  }

  const char* name() const { return main_loop_name(*state_.main_loop); }

  TrainingScanner scanner_;
};

}  // namespace

std::unique_ptr<Rule> make_main_loop_rule(TuState& state) { return std::make_unique<MainLoopRule>(state); }

}  // namespace flor::instr
