# Layering, enforced by the build: code linked into training programs (runtime/)
# must never see libgit2, Clang or LLVM. flor_runtime_layering(TARGET) puts a
# folder of poison headers first on TARGET's include path, so `#include <git2.h>`
# (or any <git2/...>, <clang/...>, <llvm/...> header) in such a source stops the
# build with a message that says why. Clang and LLVM headers are not on the
# default include path at all; git2's are (/usr/include), so each is shadowed.
set(FLOR_RUNTIME_POISON_DIR ${CMAKE_BINARY_DIR}/layering/runtime)

function(_flor_poison relpath)
  file(WRITE ${FLOR_RUNTIME_POISON_DIR}/${relpath}
    "#error \"layering: runtime/ is linked into training programs and must not include <${relpath}>: libgit2, Clang and LLVM belong to lib/ and tools/ (see ARCHITECTURE.md)\"\n")
endfunction()

find_path(_flor_git2_dir git2.h)
if(_flor_git2_dir)
  _flor_poison(git2.h)
  file(GLOB_RECURSE _git2_headers RELATIVE ${_flor_git2_dir} ${_flor_git2_dir}/git2/*.h)
  foreach(h IN LISTS _git2_headers)
    _flor_poison(${h})
  endforeach()
endif()
foreach(h clang/Tooling/Tooling.h clang/AST/AST.h clang/ASTMatchers/ASTMatchers.h
          clang/ASTMatchers/ASTMatchFinder.h clang/Frontend/FrontendActions.h
          clang/Rewrite/Core/Rewriter.h llvm/Support/CommandLine.h)
  _flor_poison(${h})
endforeach()

function(flor_runtime_layering target)
  target_include_directories(${target} BEFORE PRIVATE ${FLOR_RUNTIME_POISON_DIR})
endfunction()

# The runtime's private sources (runtime/src) belong to it alone: code outside
# runtime/ (lib/, tools/, their unit tests) gets a folder of poison headers, one
# per header under runtime/src, first on its include path. So `#include
# "ckpt/engine.h"` there stops the build even when someone puts runtime/src on
# the include path; a format both sides need lives in lib/ (lib/ckpt). The
# runtime's own tests (test/runtime) and benchmarks are part of it and exempt.
set(FLOR_OUTSIDE_RUNTIME_POISON_DIR ${CMAKE_BINARY_DIR}/layering/outside_runtime)
file(REMOVE_RECURSE ${FLOR_OUTSIDE_RUNTIME_POISON_DIR})  # a header that moved out of runtime/src is no longer poison
file(GLOB_RECURSE _flor_runtime_private_headers RELATIVE ${PROJECT_SOURCE_DIR}/runtime/src
     CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/runtime/src/*.h)
foreach(h IN LISTS _flor_runtime_private_headers)
  file(WRITE ${FLOR_OUTSIDE_RUNTIME_POISON_DIR}/${h}
    "#error \"layering: '${h}' is a private header of the runtime (runtime/src); code outside runtime/ must not include it: what both sides need belongs in lib/ (see ARCHITECTURE.md)\"\n")
endforeach()

function(flor_outside_runtime_layering target)
  target_include_directories(${target} BEFORE PRIVATE ${FLOR_OUTSIDE_RUNTIME_POISON_DIR})
endfunction()
