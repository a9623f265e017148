// What a C++ type means to flor: is a variable of this type state that the
// runtime can checkpoint, an input it may ignore, or something it cannot save?
// Decided from names in the torch/std namespaces, so it works the same on
// LibTorch and on the mock headers of the golden tests.
#pragma once

#include "clang/AST/Decl.h"
#include "clang/AST/DeclBase.h"
#include "clang/AST/Type.h"

namespace flor::instr {

enum class Category {
  kModule,      // torch::nn::Module, a TORCH_MODULE holder, or a pointer to one
  kOptimizer,   // torch::optim::Optimizer and subclasses
  kTensor,      // at::Tensor
  kScalar,      // arithmetic types
  kSequence,    // std::vector / std::array of checkpointable elements, std::pair / std::tuple of such
  kHooked,      // a user type with a flor_state hook (flor/state.h)
  kDataLoader,  // re-iterable input: the RNG state covers its order
  kStream,      // std::ostream and friends, FILE*: output, not state
  kOther,       // anything else: the runtime cannot checkpoint it
};

Category classify(clang::QualType type);
const char* category_name(Category category);
bool is_checkpointable(Category category);

// True for a type whose copies share the object (module holders, shared_ptr,
// tensors): passing one by value lets the callee mutate the caller's state.
bool is_shared_handle(clang::QualType type);

// True for std::shared_ptr / std::unique_ptr: flor::checkpoints takes `*p`.
bool is_smart_pointer(clang::QualType type);

// True when the pointer/reference type is a pointer to, or reference to,
// something that is not const.
bool is_mutable_indirection(clang::QualType type);

// True for small types passed as values even through a reference: numbers,
// enums (ScalarType, Layout, MemoryFormat), c10::Device, c10::TensorOptions,
// and std/c10 optional of those. Forwarding one into a construction copies it.
bool is_small_value(clang::QualType type);

// True for std::cout, std::cerr, std::clog (and wide forms), stdout, stderr:
// output the run's log keeps, so a skipped block need not write it again.
bool is_standard_output(const clang::VarDecl* var);

// True for declarations in torch, at, c10 or std: library code whose
// definitions flor does not follow (their signatures say enough).
bool is_library_decl(const clang::Decl* decl);

}  // namespace flor::instr
