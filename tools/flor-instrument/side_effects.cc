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
// it), a data member of `this` (`model_`, `this->stats_.loss`), `this` as a
// whole, a temporary (mutating it changes nothing), or an object without a
// name (e.g. `get_model()->train()`).
enum class RootKind { kVar, kField, kThis, kTemporary, kUnknown };
struct Root {
  RootKind kind = RootKind::kUnknown;
  const clang::VarDecl* var = nullptr;
  const clang::FieldDecl* field = nullptr;
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
      if (const auto* var = llvm::dyn_cast<clang::VarDecl>(member->getMemberDecl())) return {RootKind::kVar, var};
      const auto* field = llvm::dyn_cast<clang::FieldDecl>(member->getMemberDecl());
      if (field && llvm::isa<clang::CXXThisExpr>(member->getBase()->IgnoreParenImpCasts())) {
        return {RootKind::kField, nullptr, field};
      }
      expr = member->getBase();
    } else if (const auto* unary = llvm::dyn_cast<clang::UnaryOperator>(expr)) {
      if (unary->getOpcode() != clang::UO_Deref && unary->getOpcode() != clang::UO_AddrOf) break;
      expr = unary->getSubExpr();
    } else if (const auto* subscript = llvm::dyn_cast<clang::ArraySubscriptExpr>(expr)) {
      expr = subscript->getBase();
    } else if (const auto* op = llvm::dyn_cast<clang::CXXOperatorCallExpr>(expr)) {
      // `std::cout << a << b`: each `<<` returns its left operand.
      auto kind = op->getOperator();
      bool stream_chain = (kind == clang::OO_LessLess || kind == clang::OO_GreaterGreater) &&
                          classify(op->getType()) == Category::kStream;
      if (!stream_chain && kind != clang::OO_Arrow && kind != clang::OO_Star && kind != clang::OO_Subscript) break;
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

// True when parameter `index` of `callee` is a forwarding reference (`T&&` of
// a template parameter, or a pack `Args&&...`) in the template it was
// instantiated from: an lvalue argument binds as `T&` without being changed
// by the binding itself.
bool is_forwarding_param(const clang::FunctionDecl* callee, unsigned index) {
  const clang::FunctionDecl* pattern = callee->getTemplateInstantiationPattern();
  if (!pattern) return false;
  for (unsigned i = 0; i < pattern->getNumParams(); ++i) {
    const clang::ParmVarDecl* param = pattern->getParamDecl(i);
    bool pack = param->isParameterPack();
    if (i != index && !(pack && index > i)) {
      if (pack) return false;  // parameters after a pack: not mapped
      continue;
    }
    clang::QualType type = param->getType();
    if (const auto* expansion = type->getAs<clang::PackExpansionType>()) type = expansion->getPattern();
    const auto* rvalue = type->getAs<clang::RValueReferenceType>();
    return rvalue && !rvalue->getPointeeType().hasQualifiers() &&
           rvalue->getPointeeType()->getAs<clang::TemplateTypeParmType>();
  }
  return false;
}

// torch::save(value, path...): writes a file, which the record already wrote.
bool is_torch_save(const clang::FunctionDecl* callee) {
  return callee->getQualifiedNameAsString() == "torch::save";
}

// Walks one statement and records what it mutates outside `scope`.
class MutationWalker {
 public:
  // `function`: the function whose body is walked (its parameters are
  // reported by index), or null for a skip block.
  MutationWalker(clang::ASTContext& ctx, clang::SourceRange scope, const clang::FunctionDecl* function,
                 int depth, std::function<const Mutations&(const clang::FunctionDecl*)> callee_effects,
                 const std::set<const clang::Stmt*>& skip)
      : ctx_(ctx),
        scope_(scope),
        function_(function),
        depth_(depth),
        callee_effects_(std::move(callee_effects)),
        skip_(skip) {}

  void walk(const clang::Stmt* stmt) {
    if (!stmt || skip_.count(stmt)) return;
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
      visit_arguments(call->getDirectCallee(), call->arguments(), 0, call->getBeginLoc(), false);
    } else if (const auto* construct = llvm::dyn_cast<clang::CXXConstructExpr>(stmt)) {
      visit_arguments(construct->getConstructor(), construct->arguments(), 0, construct->getBeginLoc(),
                      false);
    }
  }

  void visit_member_call(const clang::CXXMemberCallExpr* call) {
    const clang::CXXMethodDecl* method = call->getMethodDecl();
    if (!method) return;
    const clang::Expr* object = call->getImplicitObjectArgument();
    std::string name = method->getNameAsString();
    bool in_place_tensor_op = object && classify(object->getType()) == Category::kTensor &&
                              llvm::StringRef(name).endswith("_");
    // A method of this object that flor follows changes its members one by
    // one: they are merged in, not the whole object.
    bool on_this = object && root_of(object).kind == RootKind::kThis;
    if (object && (!method->isConst() || in_place_tensor_op) && !(on_this && followed(method))) {
      mark(object, "receiver of non-const call '" + name + "'");
    }
    visit_arguments(method, call->arguments(), 0, call->getBeginLoc(), on_this);
  }

  void visit_operator_call(const clang::CXXOperatorCallExpr* op) {
    const auto* method = llvm::dyn_cast_or_null<clang::CXXMethodDecl>(op->getDirectCallee());
    if (!method) {  // a free operator: its parameters say what it mutates
      visit_arguments(op->getDirectCallee(), op->arguments(), 0, op->getBeginLoc(), false);
      return;
    }
    if (is_assignment_operator(op->getOperator())) {
      mark(op->getArg(0), "assigned");
    } else if (!method->isConst() && !is_access_operator(op->getOperator())) {
      mark(op->getArg(0), std::string("receiver of non-const operator") +
                              clang::getOperatorSpelling(op->getOperator()));
    }
    std::vector<const clang::Expr*> rest(op->arg_begin() + 1, op->arg_end());
    // A lambda's body sees the `this` it captured: ours.
    visit_arguments(method, llvm::ArrayRef<const clang::Expr*>(rest), 0, op->getBeginLoc(),
                    method->getParent()->isLambda());
  }

  // The definition flor follows for a call to `callee`, or null.
  const clang::FunctionDecl* followed(const clang::FunctionDecl* callee) const {
    return depth_ < kMaxCallDepth ? visible_definition(callee) : nullptr;
  }

  // `at`: the call, where what the callee mutates without a name is reported.
  // `through_this`: the callee's `this` is ours (a method called on this, a
  // lambda), so the data members it changes are ours too.
  template <typename Args>
  void visit_arguments(const clang::FunctionDecl* callee, Args args, unsigned first_param,
                       clang::SourceLocation at, bool through_this) {
    if (!callee) return;
    bool save = is_torch_save(callee);
    if (save) out_.recorded.insert("torch::save() writes a file the record already wrote");
    const clang::FunctionDecl* def = followed(callee);
    const Mutations* inside = def ? &callee_effects_(def) : nullptr;
    std::string where = callee->getNameAsString() + "()";
    unsigned index = 0;
    for (const clang::Expr* arg : args) {
      unsigned param_index = first_param + index++;
      if (param_index >= callee->getNumParams()) break;  // variadic
      const clang::ParmVarDecl* param = callee->getParamDecl(param_index);
      clang::QualType type = param->getType();
      if (!is_mutable_indirection(type) && !is_shared_handle(type)) continue;
      if (is_forwarding_param(callee, param_index) && is_small_value(type)) continue;  // `.to(device)`
      if (save && param_index > 0 && classify(type) != Category::kStream) continue;     // the path
      std::string param_name = (param->getName().empty() ? "parameter " + std::to_string(param_index + 1)
                                                          : "parameter '" + param->getNameAsString() + "'") +
                               " of " + where;
      if (!inside) {
        mark(arg, "passed to non-const " + param_name);
        continue;
      }
      auto found = inside->params.find(param_index);
      if (found != inside->params.end()) mark(arg, "via " + param_name + ": " + found->second);
    }
    if (!inside) return;
    const std::string in_where = "in " + where + ": ";
    for (const auto& [decl, why] : inside->vars) {
      if (const auto* field = llvm::dyn_cast<clang::FieldDecl>(decl)) {
        if (through_this) out_.vars.emplace(field, in_where + why);  // else the receiver stands for it
      } else {
        add(llvm::cast<clang::VarDecl>(decl), in_where + why);
      }
    }
    if (through_this && inside->this_whole) mark_this(at, in_where + *inside->this_whole);
    for (const Unnamed& u : inside->unnamed) out_.unnamed.push_back({at, in_where + u.what, u.this_object});
    out_.recorded.insert(inside->recorded.begin(), inside->recorded.end());
  }

  void mark(const clang::Expr* target, const std::string& why) {
    Root root = root_of(target);
    switch (root.kind) {
      case RootKind::kVar: return add(root.var, why);
      case RootKind::kField:
        out_.vars.emplace(root.field, why);
        return;
      case RootKind::kTemporary: return;
      case RootKind::kThis:
        return mark_this(target->getBeginLoc(), "'this' is " + why);
      case RootKind::kUnknown:
        out_.unnamed.push_back(
            {target->getBeginLoc(), "'" + text_of(ctx_, target->getSourceRange()) + "' is " + why});
    }
  }

  // `this` changed as a whole: in a method, the caller's receiver (or, called
  // on the caller's `this`, the caller's `this`); in a block, an object flor
  // cannot name.
  void mark_this(clang::SourceLocation at, const std::string& what) {
    if (!function_) {
      out_.unnamed.push_back({at, what, true});
    } else if (!out_.this_whole) {
      out_.this_whole = what;
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
  const std::set<const clang::Stmt*>& skip_;
  std::set<const clang::VarDecl*> aliases_;
  Mutations out_;
};

// Module variables (or data members of `this`) named in an optimizer's
// initializer (`Adam opt(model->parameters(), ...)`), following local
// variables one level (`auto params = model->parameters();`).
void modules_in(const clang::Stmt* stmt, int depth, std::vector<const clang::ValueDecl*>& out) {
  if (!stmt || depth > 2) return;
  if (const auto* member = llvm::dyn_cast<clang::MemberExpr>(stmt)) {
    Root root = root_of(member);
    if (root.kind == RootKind::kField && root.field == member->getMemberDecl() &&
        classify(root.field->getType()) == Category::kModule) {
      out.push_back(root.field);
    }
  }
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

// A reference or pointer declared in the main loop's body (outside the
// block) stands for what it was initialized from: `auto& net = nets[i];`.
// Null when that is not a variable (the caller refuses the block).
const clang::VarDecl* through_aliases(const clang::VarDecl* var, const clang::SourceRange& loop,
                                      const clang::SourceManager& sm) {
  for (int hops = 0; hops < 8 && var && !var->hasGlobalStorage() && is_within(sm, var->getLocation(), loop); ++hops) {
    clang::QualType type = var->getType();
    if (!type->isReferenceType() && !type->isPointerType()) return var;
    if (!var->getInit()) return nullptr;
    Root root = root_of(var->getInit());
    if (root.kind != RootKind::kVar) return nullptr;
    var = root.var;
  }
  return var;
}

// A refusal of the side-effect rule: what the block does, and what follows.
void refuse(SkipBlock& block, const std::string& cause) {
  std::string message = block.kind == BlockKind::kStepLoop
                            ? "step loop '" + block.name + "' gets no checkpoint: " + cause +
                                  "; a replay runs it from the start"
                            : "block '" + block.name + "' is not skipped: " + cause + "; it always runs";
  block.refusals.push_back({"side-effects", block.stmt->getBeginLoc(), message});
}

// One refusal per statement for objects flor cannot name, however many
// sub-expressions of it reach them.
void refuse_unnamed(SkipBlock& block, const std::vector<Unnamed>& unnamed, const clang::SourceManager& sm) {
  std::set<unsigned> lines;
  for (const Unnamed& u : unnamed) {
    if (!lines.insert(sm.getExpansionLineNumber(u.at)).second) continue;
    refuse(block,
           u.what + (u.this_object ? ", which may change any member (define the method in this file to let "
                                     "the block skip)"
                                   : ", an object flor cannot name (keep it in a variable declared before "
                                     "the main loop to let the block skip)"));
  }
}

// A variable's initializer, or a data member's: in a constructor's
// initializer list, else in the class.
const clang::Expr* initializer_of(const clang::ValueDecl* decl) {
  if (const auto* var = llvm::dyn_cast<clang::VarDecl>(decl)) return var->getInit();
  const auto* field = llvm::cast<clang::FieldDecl>(decl);
  if (const auto* record = llvm::dyn_cast<clang::CXXRecordDecl>(field->getParent())) {
    for (const clang::CXXConstructorDecl* ctor : record->ctors()) {
      const clang::FunctionDecl* def = nullptr;
      if (!ctor->hasBody(def)) continue;
      for (const clang::CXXCtorInitializer* init : llvm::cast<clang::CXXConstructorDecl>(def)->inits()) {
        if (init->isWritten() && init->getMember() == field) return init->getInit();
      }
    }
  }
  return field->getInClassInitializer();
}

// True when `field` is a data member of the object `function` is a method of.
bool is_member_of(const clang::FunctionDecl* function, const clang::FieldDecl* field) {
  const auto* method = llvm::dyn_cast_or_null<clang::CXXMethodDecl>(function);
  const auto* owner = llvm::dyn_cast<clang::CXXRecordDecl>(field->getParent());
  if (!method || !owner) return false;
  const clang::CXXRecordDecl* self = method->getParent()->getCanonicalDecl();
  return self == owner->getCanonicalDecl() || (self->hasDefinition() && self->isDerivedFrom(owner));
}

bool contains(const std::vector<SetEntry>& entries, const clang::ValueDecl* var) {
  for (const SetEntry& e : entries) {
    if (e.var == var) return true;
  }
  return false;
}

}  // namespace

std::string checkpoint_spelling(const clang::ValueDecl* decl) {
  const auto* var = llvm::dyn_cast<clang::VarDecl>(decl);
  std::string name = var && var->hasGlobalStorage() && !var->isStaticLocal() ? var->getQualifiedNameAsString()
                                                                             : decl->getNameAsString();
  bool indirect = decl->getType()->isPointerType() || is_smart_pointer(decl->getType());
  return indirect ? "*" + name : name;
}

Mutations SideEffectAnalyzer::mutations_of(const clang::Stmt* stmt, clang::SourceRange scope, int depth,
                                           const std::set<const clang::Stmt*>& skip) {
  return walk(stmt, scope, nullptr, depth, skip);
}

Mutations SideEffectAnalyzer::walk(const clang::Stmt* stmt, clang::SourceRange scope,
                                   const clang::FunctionDecl* function, int depth,
                                   const std::set<const clang::Stmt*>& skip) {
  MutationWalker walker(
      ctx_, scope, function, depth,
      [this, depth](const clang::FunctionDecl* fn) -> const Mutations& {
        return function_mutations(fn, depth + 1);
      },
      skip);
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
  const clang::SourceRange loop = main_loop.loop->getSourceRange();
  Mutations m = mutations_of(block.stmt, block.stmt->getSourceRange());
  refuse_unnamed(block, m.unnamed, sm);
  block.notes.assign(m.recorded.begin(), m.recorded.end());
  std::map<const clang::ValueDecl*, std::string> roots;
  for (const auto& [decl, why] : m.vars) {
    if (const auto* field = llvm::dyn_cast<clang::FieldDecl>(decl)) {
      if (is_member_of(main_loop.function, field)) {
        roots.emplace(field, why);
      } else {
        refuse_unnamed(block, {{field->getLocation(), "member '" + field->getNameAsString() + "' is " + why}},
                       sm);
      }
      continue;
    }
    const auto* var = llvm::cast<clang::VarDecl>(decl);
    const clang::VarDecl* root = through_aliases(var, loop, sm);
    if (!root) {
      refuse_unnamed(block, {{var->getLocation(), "'" + var->getNameAsString() + "' is " + why}}, sm);
      continue;
    }
    roots.emplace(root, root == var ? why : why + " (through '" + var->getNameAsString() + "')");
  }
  std::vector<std::pair<const clang::ValueDecl*, std::string>> vars(roots.begin(), roots.end());
  std::stable_sort(vars.begin(), vars.end(), [&](const auto& a, const auto& b) {
    return sm.isBeforeInTranslationUnit(a.first->getLocation(), b.first->getLocation());
  });
  auto refuse_var = [&](const clang::ValueDecl* var, const std::string& why, const std::string& hint) {
    refuse(block, "it mutates '" + var->getNameAsString() + "' (" + var->getType().getAsString() + ", " + why +
                      "), " + hint);
  };
  for (const auto& [decl, why] : vars) {
    SetEntry entry{decl, checkpoint_spelling(decl), classify(decl->getType()), why};
    const auto* var = llvm::dyn_cast<clang::VarDecl>(decl);  // else a data member of `this`
    bool declared_in_loop = var && !var->hasGlobalStorage() && is_within(sm, var->getLocation(), loop);
    if (entry.category == Category::kDataLoader) {
      entry.why += "; not state: a re-iterable input (the RNG state covers its order)";
      block.ignored.push_back(entry);
    } else if (entry.category == Category::kStream && var && is_standard_output(var)) {
      entry.why += "; not state: standard output, which the run's log keeps (a skipped block does not print again)";
      block.ignored.push_back(entry);
    } else if (entry.category == Category::kStream) {
      refuse_var(decl, why,
                 "output a skipped block would not write again (print to std::cout, or write after the "
                 "block, to let it skip)");
    } else if (!is_checkpointable(entry.category)) {
      refuse_var(decl, why,
                 "which flor cannot checkpoint (hold it in tensors, numbers or std::vector of those, or give "
                 "the type a flor_state hook, flor/state.h, to let the block skip)");
    } else if (declared_in_loop &&
               !used_after(main_loop.loop, var, sm.getExpansionLoc(block.stmt->getEndLoc()), sm)) {
      entry.why += "; not state: declared inside the main loop and not used after the block";
      block.ignored.push_back(entry);
    } else if (declared_in_loop) {
      entry.why += "; declared in the main loop and read after the block: the block's own state (flor::locals)";
      block.locals.push_back(entry);
    } else {
      block.state.push_back(entry);
    }
  }
  add_optimizer_modules(block);
}

std::vector<SetEntry> SideEffectAnalyzer::carried_state(const MainLoop& main_loop,
                                                        const std::vector<SkipBlock>& blocks,
                                                        const std::vector<SetEntry>& registered) {
  if (main_loop.step_loop) return {};
  std::set<const clang::Stmt*> skipped;
  // A refused block runs as plain code: its changes count.
  for (const SkipBlock& block : blocks) {
    if (!block.refused()) skipped.insert(block.stmt);
  }
  if (const auto* range_for = llvm::dyn_cast<clang::CXXForRangeStmt>(main_loop.loop)) {
    skipped.insert(range_for->getBeginStmt());  // `__range.begin()` iterates the epochs: no change
    skipped.insert(range_for->getEndStmt());
  }
  Mutations m = mutations_of(main_loop.loop, main_loop.loop->getSourceRange(), 0, skipped);
  std::vector<SetEntry> out;
  for (const auto& [var, why] : m.vars) {
    SetEntry entry{var, var->getNameAsString(), classify(var->getType()), why};
    if (entry.category == Category::kDataLoader || entry.category == Category::kStream) continue;
    if (contains(registered, var)) continue;  // restored with the checkpoints
    out.push_back(entry);
  }
  return out;
}

void SideEffectAnalyzer::add_optimizer_modules(SkipBlock& block) {
  std::vector<SetEntry> added;
  for (const SetEntry& entry : block.state) {
    const clang::Expr* init = entry.category == Category::kOptimizer ? initializer_of(entry.var) : nullptr;
    if (!init) continue;
    std::vector<const clang::ValueDecl*> modules;
    modules_in(init, 0, modules);
    for (const clang::ValueDecl* module : modules) {
      if (contains(block.state, module) || contains(added, module)) continue;
      added.push_back({module, checkpoint_spelling(module), Category::kModule,
                       "its parameters are held by optimizer '" + entry.var->getNameAsString() + "'"});
    }
  }
  block.state.insert(block.state.end(), added.begin(), added.end());
}

}  // namespace flor::instr
