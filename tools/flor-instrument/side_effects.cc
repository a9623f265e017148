#include "side_effects.h"

#include <functional>
#include <set>

#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "source_text.h"
#include "training_loops.h"

namespace flor::instr {
namespace {

constexpr int kMaxCallDepth = 6;

// What an lvalue expression designates: a variable's object (or part of
// it), a member of `this`, a temporary (mutating it changes nothing), or an
// object without a name (e.g. `get_model()->train()`).
enum class RootKind { kVar, kThis, kTemporary, kUnknown };
struct Root {
  RootKind kind = RootKind::kUnknown;
  const clang::VarDecl* var = nullptr;
};

Root root_of(const clang::Expr* expr) {
  while (expr) {
    expr = expr->IgnoreParenImpCasts();
    if (const auto* cleanup = llvm::dyn_cast<clang::ExprWithCleanups>(expr)) {
      expr = cleanup->getSubExpr();
    } else if (const auto* temp = llvm::dyn_cast<clang::MaterializeTemporaryExpr>(expr)) {
      expr = temp->getSubExpr();
    } else if (const auto* bind = llvm::dyn_cast<clang::CXXBindTemporaryExpr>(expr)) {
      expr = bind->getSubExpr();
    } else if (const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(expr)) {
      const auto* var = llvm::dyn_cast<clang::VarDecl>(ref->getDecl());
      return var ? Root{RootKind::kVar, var} : Root{RootKind::kTemporary, nullptr};  // functions, enumerators
    } else if (const auto* member = llvm::dyn_cast<clang::MemberExpr>(expr)) {
      expr = member->getBase();
    } else if (const auto* unary = llvm::dyn_cast<clang::UnaryOperator>(expr)) {
      if (unary->getOpcode() != clang::UO_Deref && unary->getOpcode() != clang::UO_AddrOf) break;
      expr = unary->getSubExpr();
    } else if (const auto* subscript = llvm::dyn_cast<clang::ArraySubscriptExpr>(expr)) {
      expr = subscript->getBase();
    } else if (const auto* op = llvm::dyn_cast<clang::CXXOperatorCallExpr>(expr)) {
      auto kind = op->getOperator();
      if (kind != clang::OO_Arrow && kind != clang::OO_Star && kind != clang::OO_Subscript) break;
      expr = op->getArg(0);
    } else if (const auto* call = llvm::dyn_cast<clang::CXXMemberCallExpr>(expr)) {
      // A member returning a reference or pointer (at(), get(), front()) may
      // hand out the object itself: follow it to be safe.
      clang::QualType type = call->getCallReturnType(call->getMethodDecl()->getASTContext());
      if (!type->isReferenceType() && !type->isPointerType()) break;
      expr = call->getImplicitObjectArgument();
    } else if (const auto* construct = llvm::dyn_cast<clang::CXXConstructExpr>(expr)) {
      // A copy of a handle (module holder, shared_ptr, tensor) is the same
      // object: `train(model)` with `void train(Mlp m)` changes `model`.
      if (construct->getNumArgs() != 1 || !construct->getConstructor()->isCopyOrMoveConstructor() ||
          !is_shared_handle(construct->getType())) {
        break;
      }
      expr = construct->getArg(0);
    } else if (llvm::isa<clang::CXXThisExpr>(expr)) {
      return {RootKind::kThis, nullptr};
    } else {
      break;
    }
  }
  bool temporary = expr && expr->isPRValue() && !expr->getType()->isPointerType();
  return {temporary ? RootKind::kTemporary : RootKind::kUnknown, nullptr};
}

bool is_assignment_operator(clang::OverloadedOperatorKind kind) {
  switch (kind) {
    case clang::OO_Equal: case clang::OO_PlusEqual: case clang::OO_MinusEqual:
    case clang::OO_StarEqual: case clang::OO_SlashEqual: case clang::OO_PercentEqual:
    case clang::OO_AmpEqual: case clang::OO_PipeEqual: case clang::OO_CaretEqual:
    case clang::OO_LessLessEqual: case clang::OO_GreaterGreaterEqual:
    case clang::OO_PlusPlus: case clang::OO_MinusMinus:
      return true;
    default:
      return false;
  }
}

bool is_access_operator(clang::OverloadedOperatorKind kind) {
  return kind == clang::OO_Arrow || kind == clang::OO_Star || kind == clang::OO_Subscript;
}

// Walks one statement and records what it mutates outside `scope`.
class MutationWalker {
 public:
  // `function`: the function whose body is walked (its parameters are
  // reported by index), or null for a skip block.
  MutationWalker(clang::ASTContext& ctx, clang::SourceRange scope, const clang::FunctionDecl* function, int depth,
                 std::function<const Mutations&(const clang::FunctionDecl*)> callee_effects)
      : ctx_(ctx), scope_(scope), function_(function), depth_(depth), callee_effects_(std::move(callee_effects)) {}

  void walk(const clang::Stmt* stmt) {
    if (!stmt) return;
    visit(stmt);
    for (const clang::Stmt* child : stmt->children()) walk(child);
  }

  Mutations take() { return std::move(out_); }

 private:
  void visit(const clang::Stmt* stmt) {
    if (const auto* bin = llvm::dyn_cast<clang::BinaryOperator>(stmt)) {
      if (bin->isAssignmentOp()) mark(bin->getLHS(), "assigned");
    } else if (const auto* unary = llvm::dyn_cast<clang::UnaryOperator>(stmt)) {
      if (unary->isIncrementDecrementOp()) mark(unary->getSubExpr(), "incremented or decremented");
    } else if (const auto* member = llvm::dyn_cast<clang::CXXMemberCallExpr>(stmt)) {
      visit_member_call(member);
    } else if (const auto* op = llvm::dyn_cast<clang::CXXOperatorCallExpr>(stmt)) {
      visit_operator_call(op);
    } else if (const auto* call = llvm::dyn_cast<clang::CallExpr>(stmt)) {
      visit_arguments(call->getDirectCallee(), call->arguments(), 0);
    } else if (const auto* construct = llvm::dyn_cast<clang::CXXConstructExpr>(stmt)) {
      visit_arguments(construct->getConstructor(), construct->arguments(), 0);
    }
  }

  void visit_member_call(const clang::CXXMemberCallExpr* call) {
    const clang::CXXMethodDecl* method = call->getMethodDecl();
    if (!method) return;
    const clang::Expr* object = call->getImplicitObjectArgument();
    std::string name = method->getNameAsString();
    bool in_place_tensor_op = object && classify(object->getType()) == Category::kTensor &&
                              llvm::StringRef(name).endswith("_");
    if (object && (!method->isConst() || in_place_tensor_op)) {
      mark(object, "receiver of non-const call '" + name + "'");
    }
    visit_arguments(method, call->arguments(), 0);
  }

  void visit_operator_call(const clang::CXXOperatorCallExpr* op) {
    const auto* method = llvm::dyn_cast_or_null<clang::CXXMethodDecl>(op->getDirectCallee());
    if (!method) {  // a free operator: its parameters say what it mutates
      visit_arguments(op->getDirectCallee(), op->arguments(), 0);
      return;
    }
    if (is_assignment_operator(op->getOperator())) {
      mark(op->getArg(0), "assigned");
    } else if (!method->isConst() && !is_access_operator(op->getOperator())) {
      mark(op->getArg(0), std::string("receiver of non-const operator") +
                              clang::getOperatorSpelling(op->getOperator()));
    }
    std::vector<const clang::Expr*> rest(op->arg_begin() + 1, op->arg_end());
    visit_arguments(method, llvm::ArrayRef<const clang::Expr*>(rest), 0);
  }

  template <typename Args>
  void visit_arguments(const clang::FunctionDecl* callee, Args args, unsigned first_param) {
    if (!callee) return;
    const clang::FunctionDecl* def = depth_ < kMaxCallDepth ? visible_definition(callee) : nullptr;
    const Mutations* inside = def ? &callee_effects_(def) : nullptr;
    std::string where = callee->getNameAsString() + "()";
    unsigned index = 0;
    for (const clang::Expr* arg : args) {
      unsigned param_index = first_param + index++;
      if (param_index >= callee->getNumParams()) break;  // variadic
      const clang::ParmVarDecl* param = callee->getParamDecl(param_index);
      clang::QualType type = param->getType();
      if (!is_mutable_indirection(type) && !is_shared_handle(type)) continue;
      std::string param_name = "parameter '" + param->getNameAsString() + "' of " + where;
      if (!inside) {
        mark(arg, "passed to non-const " + param_name);
        continue;
      }
      auto found = inside->params.find(param_index);
      if (found != inside->params.end()) mark(arg, "via " + param_name + ": " + found->second);
    }
    if (!inside) return;
    for (const auto& [var, why] : inside->vars) add(var, "in " + where + ": " + why);
    for (const std::string& what : inside->unnamed) out_.unnamed.push_back("in " + where + ": " + what);
  }

  void mark(const clang::Expr* target, const std::string& why) {
    Root root = root_of(target);
    switch (root.kind) {
      case RootKind::kVar: return add(root.var, why);
      case RootKind::kTemporary: return;
      case RootKind::kThis:
        // Inside a method, `this` is the receiver: a non-const call already
        // put the caller's object in the set.
        if (function_) return;
        [[fallthrough]];
      case RootKind::kUnknown:
        out_.unnamed.push_back("'" + text_of(ctx_, target->getSourceRange()) + "' is " + why);
    }
  }

  void add(const clang::VarDecl* var, const std::string& why) {
    if (!var->hasGlobalStorage() && is_within(ctx_.getSourceManager(), var->getLocation(), scope_)) {
      follow_alias(var, why);
      return;
    }
    const auto* param = llvm::dyn_cast<clang::ParmVarDecl>(var);
    if (param && function_ && param->getDeclContext() == function_) {
      out_.params.emplace(param->getFunctionScopeIndex(), why);
      return;
    }
    out_.vars.emplace(var, why);
  }

  // A reference or pointer declared inside the scope may alias an outer object.
  void follow_alias(const clang::VarDecl* var, const std::string& why) {
    clang::QualType type = var->getType();
    if (!type->isReferenceType() && !type->isPointerType()) return;
    if (!var->getInit() || !aliases_.insert(var).second) return;
    mark(var->getInit(), why + " (through '" + var->getNameAsString() + "')");
  }

  clang::ASTContext& ctx_;
  clang::SourceRange scope_;
  const clang::FunctionDecl* function_;
  int depth_;
  std::function<const Mutations&(const clang::FunctionDecl*)> callee_effects_;
  std::set<const clang::VarDecl*> aliases_;
  Mutations out_;
};

// Module variables named in an optimizer's initializer (`Adam opt(model->parameters(), ...)`),
// following local variables one level (`auto params = model->parameters();`).
void modules_in(const clang::Stmt* stmt, int depth, std::vector<const clang::VarDecl*>& out) {
  if (!stmt || depth > 2) return;
  if (const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(stmt)) {
    if (const auto* var = llvm::dyn_cast<clang::VarDecl>(ref->getDecl())) {
      if (classify(var->getType()) == Category::kModule) {
        out.push_back(var);
      } else if (var->getInit() && !var->hasGlobalStorage()) {
        modules_in(var->getInit(), depth + 1, out);
      }
    }
  }
  for (const clang::Stmt* child : stmt->children()) modules_in(child, depth, out);
}

// True when `var` is read or written after `after` (a location) inside `scope`.
bool used_after(const clang::Stmt* scope, const clang::VarDecl* var, clang::SourceLocation after,
                const clang::SourceManager& sm) {
  if (!scope) return false;
  if (const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(scope)) {
    if (ref->getDecl() == var && sm.isBeforeInTranslationUnit(after, sm.getExpansionLoc(ref->getLocation()))) {
      return true;
    }
  }
  return llvm::any_of(scope->children(), [&](const clang::Stmt* c) { return used_after(c, var, after, sm); });
}

bool is_literal(const clang::Expr* expr) {
  expr = expr->IgnoreParenImpCasts();
  if (const auto* unary = llvm::dyn_cast<clang::UnaryOperator>(expr)) {
    if (unary->getOpcode() != clang::UO_Minus && unary->getOpcode() != clang::UO_Plus) return false;
    expr = unary->getSubExpr()->IgnoreParenImpCasts();
  }
  return llvm::isa<clang::IntegerLiteral, clang::FloatingLiteral, clang::CXXBoolLiteralExpr,
                   clang::CharacterLiteral>(expr);
}

// True when a declaration or reference other than `var` uses var's name in `stmt`.
bool name_taken(const clang::Stmt* stmt, const clang::VarDecl* var) {
  if (!stmt) return false;
  if (const auto* decl_stmt = llvm::dyn_cast<clang::DeclStmt>(stmt)) {
    for (const clang::Decl* d : decl_stmt->decls()) {
      const auto* named = llvm::dyn_cast<clang::NamedDecl>(d);
      if (named && named != var && named->getDeclName() == var->getDeclName()) return true;
    }
  }
  if (const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(stmt)) {
    if (ref->getDecl() != var && ref->getDecl()->getDeclName() == var->getDeclName()) return true;
  }
  return llvm::any_of(stmt->children(), [&](const clang::Stmt* c) { return name_taken(c, var); });
}

// `T v = LITERAL` with an arithmetic, non-const T.
bool is_literal_scalar(const clang::Decl* decl) {
  const auto* var = llvm::dyn_cast<clang::VarDecl>(decl);
  if (!var) return false;
  clang::QualType type = var->getType();
  return type->isArithmeticType() && !type.isConstQualified() && !var->isStaticLocal() && var->getInit() &&
         is_literal(var->getInit());
}

// The declaration of a per-epoch scalar that can move before the main loop:
// `T v = LITERAL;` directly in the loop's body (or one of several such
// declarators: `double a = 0, b = 0;`), its name used for nothing else in the
// function. Null when it cannot.
const clang::DeclStmt* hoistable(const clang::VarDecl* var, const MainLoop& main_loop) {
  if (!is_literal_scalar(var)) return nullptr;
  const auto* body = llvm::dyn_cast_or_null<clang::CompoundStmt>(loop_body(main_loop.loop));
  if (!body) return nullptr;
  for (const clang::Stmt* stmt : body->body()) {
    const auto* decl_stmt = llvm::dyn_cast<clang::DeclStmt>(stmt);
    if (!decl_stmt || llvm::find(decl_stmt->decls(), var) == decl_stmt->decl_end()) continue;
    if (!llvm::all_of(decl_stmt->decls(), is_literal_scalar)) return nullptr;
    const clang::FunctionDecl* fn = main_loop.function;
    bool param_named = llvm::any_of(fn->parameters(), [&](const clang::ParmVarDecl* p) {
      return p->getDeclName() == var->getDeclName();
    });
    return param_named || name_taken(fn->getBody(), var) ? nullptr : decl_stmt;
  }
  return nullptr;
}

bool contains(const std::vector<SetEntry>& entries, const clang::VarDecl* var) {
  for (const SetEntry& e : entries) {
    if (e.var == var) return true;
  }
  return false;
}

}  // namespace

std::string checkpoint_spelling(const clang::VarDecl* var) {
  std::string name = var->hasGlobalStorage() && !var->isStaticLocal() ? var->getQualifiedNameAsString()
                                                                       : var->getNameAsString();
  bool indirect = var->getType()->isPointerType() || is_smart_pointer(var->getType());
  return indirect ? "*" + name : name;
}

Mutations SideEffectAnalyzer::mutations_of(const clang::Stmt* stmt, clang::SourceRange scope, int depth) {
  return walk(stmt, scope, nullptr, depth);
}

Mutations SideEffectAnalyzer::walk(const clang::Stmt* stmt, clang::SourceRange scope,
                                   const clang::FunctionDecl* function, int depth) {
  MutationWalker walker(ctx_, scope, function, depth, [this, depth](const clang::FunctionDecl* fn) -> const Mutations& {
    return function_mutations(fn, depth + 1);
  });
  walker.walk(stmt);
  return walker.take();
}

const Mutations& SideEffectAnalyzer::function_mutations(const clang::FunctionDecl* function, int depth) {
  auto it = functions_.find(function);
  if (it != functions_.end()) return it->second;
  functions_[function] = {};  // recursion guard: a recursive call adds nothing new
  const clang::Stmt* body = function->getBody();
  Mutations found = walk(body, body->getSourceRange(), function, depth);
  return functions_[function] = std::move(found);
}

void SideEffectAnalyzer::analyze(SkipBlock& block, const MainLoop& main_loop) {
  const clang::SourceManager& sm = ctx_.getSourceManager();
  Mutations m = mutations_of(block.stmt, block.stmt->getSourceRange());
  std::vector<std::pair<const clang::VarDecl*, std::string>> vars(m.vars.begin(), m.vars.end());
  std::stable_sort(vars.begin(), vars.end(), [&](const auto& a, const auto& b) {
    return sm.isBeforeInTranslationUnit(a.first->getLocation(), b.first->getLocation());
  });
  for (const std::string& what : m.unnamed) {
    block.refusals.push_back({"side-effects", block.stmt->getBeginLoc(),
                              "block '" + block.name + "' is not skipped: " + what +
                                  ", an object flor cannot name; it always runs"});
  }
  for (const auto& [var, why] : vars) {
    SetEntry entry{var, checkpoint_spelling(var), classify(var->getType()), why};
    bool declared_in_loop =
        !var->hasGlobalStorage() && is_within(sm, var->getLocation(), main_loop.loop->getSourceRange());
    if (entry.category == Category::kDataLoader) {
      entry.why += "; not state: a re-iterable input (the RNG state covers its order)";
      block.ignored.push_back(entry);
    } else if (entry.category == Category::kStream) {
      entry.why += "; not state: output";
      block.ignored.push_back(entry);
    } else if (!is_checkpointable(entry.category)) {
      block.refusals.push_back({"side-effects", block.stmt->getBeginLoc(),
                                "block '" + block.name + "' is not skipped: it mutates '" +
                                    var->getNameAsString() + "' (" + var->getType().getAsString() +
                                    ", " + why + "), which flor cannot checkpoint; it always runs"});
    } else if (declared_in_loop && !used_after(main_loop.loop, var, sm.getExpansionLoc(block.stmt->getEndLoc()), sm)) {
      entry.why += "; not state: declared inside the main loop and not used after the block";
      block.ignored.push_back(entry);
    } else if (const clang::DeclStmt* decl = declared_in_loop ? hoistable(var, main_loop) : nullptr) {
      entry.why += "; declared in the main loop with a constant initializer: moved before the loop (and reset "
                   "where it was declared) so flor::checkpoints can hold it";
      entry.hoisted_from = decl;
      block.state.push_back(entry);
    } else if (declared_in_loop) {
      block.refusals.push_back({"side-effects", block.stmt->getBeginLoc(),
                                "block '" + block.name + "' is not skipped: it mutates '" +
                                    var->getNameAsString() +
                                    "', declared inside the main loop and read after the block: flor::checkpoints "
                                    "cannot hold it across epochs (only `T v = <literal>;` moves before the "
                                    "loop); it always runs"});
    } else {
      block.state.push_back(entry);
    }
  }
  add_optimizer_modules(block);
}

void SideEffectAnalyzer::add_optimizer_modules(SkipBlock& block) {
  std::vector<SetEntry> added;
  for (const SetEntry& entry : block.state) {
    if (entry.category != Category::kOptimizer || !entry.var->getInit()) continue;
    std::vector<const clang::VarDecl*> modules;
    modules_in(entry.var->getInit(), 0, modules);
    for (const clang::VarDecl* module : modules) {
      if (contains(block.state, module) || contains(added, module)) continue;
      added.push_back({module, checkpoint_spelling(module), Category::kModule,
                       "its parameters are held by optimizer '" + entry.var->getNameAsString() + "'"});
    }
  }
  block.state.insert(block.state.end(), added.begin(), added.end());
}

}  // namespace flor::instr
