#include "torch_types.h"

#include <string>
#include <vector>

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclFriend.h"
#include "clang/AST/DeclTemplate.h"

namespace flor::instr {
namespace {

const clang::CXXRecordDecl* record_of(clang::QualType type) {
  type = type.getNonReferenceType().getCanonicalType();
  const auto* record = type->getAsCXXRecordDecl();
  return record && record->hasDefinition() ? record->getDefinition() : record;
}

// True when the record is, or derives from, one whose qualified name is `name`.
bool derives_from(const clang::CXXRecordDecl* record, llvm::StringRef name, int depth = 0) {
  if (!record || depth > 16) return false;
  if (record->getQualifiedNameAsString() == name) return true;
  if (!record->hasDefinition()) return false;
  for (const auto& base : record->getDefinition()->bases()) {
    if (derives_from(record_of(base.getType()), name, depth + 1)) return true;
  }
  return false;
}

// The record as a specialization of the class template `first` or `second`
// (qualified names), else null.
const clang::ClassTemplateSpecializationDecl* specialization_of(const clang::CXXRecordDecl* record,
                                                                llvm::StringRef first,
                                                                llvm::StringRef second) {
  const auto* spec = llvm::dyn_cast_or_null<clang::ClassTemplateSpecializationDecl>(record);
  if (!spec) return nullptr;
  std::string name = spec->getQualifiedNameAsString();
  return name == first || name == second ? spec : nullptr;
}

// The first template argument of std::shared_ptr/std::unique_ptr, else null type.
clang::QualType smart_pointee(const clang::CXXRecordDecl* record) {
  const auto* spec = specialization_of(record, "std::shared_ptr", "std::unique_ptr");
  return spec ? spec->getTemplateArgs()[0].getAsType() : clang::QualType();
}

bool is_data_loader(const clang::CXXRecordDecl* record) {
  if (!record) return false;
  if (record->getName().endswith("DataLoader")) return true;
  if (!record->hasDefinition()) return false;
  for (const auto& base : record->getDefinition()->bases()) {
    if (is_data_loader(record_of(base.getType()))) return true;
  }
  return false;
}

bool is_stream(const clang::CXXRecordDecl* record) {
  return derives_from(record, "std::basic_ios") || derives_from(record, "std::basic_ostream") ||
         derives_from(record, "std::basic_streambuf");
}

// The element type of std::vector / std::array, else null type.
clang::QualType sequence_element(const clang::CXXRecordDecl* record) {
  const auto* spec = specialization_of(record, "std::vector", "std::array");
  return spec ? spec->getTemplateArgs()[0].getAsType() : clang::QualType();
}

// The element types of std::pair / std::tuple; none for anything else.
std::vector<clang::QualType> tuple_elements(const clang::CXXRecordDecl* record) {
  const auto* spec = specialization_of(record, "std::pair", "std::tuple");
  if (!spec) return {};
  std::vector<clang::QualType> out;
  for (const clang::TemplateArgument& arg : spec->getTemplateArgs().asArray()) {
    if (arg.getKind() == clang::TemplateArgument::Pack) {
      for (const clang::TemplateArgument& element : arg.pack_elements()) out.push_back(element.getAsType());
    } else {
      out.push_back(arg.getAsType());
    }
  }
  return out;
}

// `flor_state(T&, flor::StateVisitor&)` for the record T.
bool is_hook(const clang::FunctionDecl* fn, const clang::CXXRecordDecl* record) {
  return fn && fn->getIdentifier() && fn->getName() == "flor_state" && fn->getNumParams() == 2 &&
         record_of(fn->getParamDecl(0)->getType()) == record;
}

// True for a user type with a flor_state hook (flor/state.h): a member
// `flor_state(flor::StateVisitor&)`, or `flor_state(T&, flor::StateVisitor&)`
// in its namespace or as its friend.
bool has_state_hook(const clang::CXXRecordDecl* record) {
  if (!record || !record->hasDefinition()) return false;
  record = record->getDefinition();
  for (const clang::CXXMethodDecl* method : record->methods()) {
    if (method->getIdentifier() && method->getName() == "flor_state") return true;
  }
  for (const clang::FriendDecl* friend_decl : record->friends()) {
    if (const auto* fn = llvm::dyn_cast_or_null<clang::FunctionDecl>(friend_decl->getFriendDecl())) {
      if (is_hook(fn, record)) return true;
    }
  }
  clang::ASTContext& ctx = record->getASTContext();
  for (const clang::NamedDecl* found :
       record->getDeclContext()->getRedeclContext()->lookup(&ctx.Idents.get("flor_state"))) {
    if (is_hook(found->getAsFunction(), record)) return true;
  }
  return false;
}

Category classify_record(const clang::CXXRecordDecl* record) {
  if (derives_from(record, "torch::nn::Module") || derives_from(record, "torch::nn::ModuleHolder")) {
    return Category::kModule;
  }
  if (derives_from(record, "torch::optim::Optimizer")) return Category::kOptimizer;
  if (derives_from(record, "at::Tensor")) return Category::kTensor;
  if (is_data_loader(record)) return Category::kDataLoader;
  if (is_stream(record)) return Category::kStream;
  if (has_state_hook(record)) return Category::kHooked;
  return Category::kOther;
}

}  // namespace

Category classify(clang::QualType type) {
  type = type.getNonReferenceType().getCanonicalType();
  if (type->isArithmeticType()) {  // as flor/state.h: not long double
    return type->isSpecificBuiltinType(clang::BuiltinType::LongDouble) ? Category::kOther : Category::kScalar;
  }
  if (type->isPointerType()) {
    clang::QualType pointee = type->getPointeeType().getCanonicalType();
    const auto* record = record_of(pointee);
    if (record && record->getName() == "_IO_FILE") return Category::kStream;
    if (!record) return Category::kOther;
    Category c = classify_record(record);
    return c == Category::kTensor || c == Category::kScalar ? Category::kOther : c;
  }
  const auto* record = record_of(type);
  if (!record) return Category::kOther;
  clang::QualType pointee = smart_pointee(record);
  clang::QualType element = sequence_element(record);
  if (!element.isNull()) {  // any checkpointable element, as flor/state.h: not std::vector<bool>
    bool bits = element->isBooleanType() && record->getName() == "vector";
    return is_checkpointable(classify(element)) && !bits ? Category::kSequence : Category::kOther;
  }
  std::vector<clang::QualType> elements = tuple_elements(record);
  if (!elements.empty()) {
    bool all = llvm::all_of(elements, [](clang::QualType e) { return is_checkpointable(classify(e)); });
    return all ? Category::kSequence : Category::kOther;
  }
  if (!pointee.isNull()) {
    Category c = classify(pointee);
    return c == Category::kModule || c == Category::kOptimizer || c == Category::kDataLoader
               ? c
               : Category::kOther;
  }
  return classify_record(record);
}

const char* category_name(Category category) {
  switch (category) {
    case Category::kModule: return "module";
    case Category::kOptimizer: return "optimizer";
    case Category::kTensor: return "tensor";
    case Category::kScalar: return "scalar";
    case Category::kSequence: return "sequence";
    case Category::kHooked:
      return "flor_state hook";
    case Category::kDataLoader: return "data loader";
    case Category::kStream: return "output stream";
    case Category::kOther: return "other";
  }
  return "other";
}

bool is_checkpointable(Category category) {
  return category == Category::kModule || category == Category::kOptimizer || category == Category::kTensor ||
         category == Category::kScalar || category == Category::kSequence || category == Category::kHooked;
}

bool is_smart_pointer(clang::QualType type) {
  return !smart_pointee(record_of(type)).isNull();
}

bool is_shared_handle(clang::QualType type) {
  type = type.getCanonicalType();
  if (type->isReferenceType() || type->isPointerType()) return false;
  const auto* record = record_of(type);
  if (!record) return false;
  if (!smart_pointee(record).isNull()) return true;
  return derives_from(record, "torch::nn::ModuleHolder") || derives_from(record, "at::Tensor");
}

bool is_mutable_indirection(clang::QualType type) {
  type = type.getCanonicalType();
  if (type->isLValueReferenceType() || type->isPointerType()) {
    return !type->getPointeeType().isConstQualified();
  }
  return false;
}

bool is_small_value(clang::QualType type) {
  type = type.getNonReferenceType().getCanonicalType();
  if (type->isArithmeticType() || type->isEnumeralType()) return true;
  const auto* record = record_of(type);
  if (!record) return false;
  std::string name = record->getQualifiedNameAsString();
  if (name == "c10::Device" || name == "c10::TensorOptions") return true;
  const auto* spec = llvm::dyn_cast<clang::ClassTemplateSpecializationDecl>(record);
  if (spec && (name == "std::optional" || name == "c10::optional") && spec->getTemplateArgs().size() == 1) {
    return is_small_value(spec->getTemplateArgs()[0].getAsType());
  }
  return false;
}

bool is_standard_output(const clang::VarDecl* var) {
  if (!var || !var->hasGlobalStorage()) return false;
  std::string name = var->getQualifiedNameAsString();
  for (const char* known : {"std::cout", "std::cerr", "std::clog", "std::wcout", "std::wcerr", "std::wclog",
                            "stdout", "stderr"}) {
    if (name == known) return true;
  }
  return false;
}

bool is_library_decl(const clang::Decl* decl) {
  const clang::DeclContext* ctx = decl->getDeclContext();
  const clang::NamespaceDecl* outermost = nullptr;
  for (; ctx; ctx = ctx->getParent()) {
    if (const auto* ns = llvm::dyn_cast<clang::NamespaceDecl>(ctx)) outermost = ns;
  }
  if (!outermost) return false;
  llvm::StringRef name = outermost->getName();
  return name == "torch" || name == "at" || name == "c10" || name == "std" || name == "__gnu_cxx" ||
         name == "flor";
}

}  // namespace flor::instr
