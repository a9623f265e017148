// flor-instrument: inserts flor's loop hooks and checkpoint sets into plain
// LibTorch training code (Clang 14 LibTooling).
#include <cstdio>

#include "flor/version.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"

static llvm::cl::OptionCategory kCategory("flor-instrument options");

int main(int argc, const char** argv) {
  llvm::cl::SetVersionPrinter([](llvm::raw_ostream& os) {
    os << "flor-instrument " << FLOR_VERSION_STRING << " (Clang " << LLVM_VERSION_STRING << ")\n";
  });
  llvm::cl::HideUnrelatedOptions(kCategory);
  llvm::cl::ParseCommandLineOptions(argc, argv, "flor-instrument: hands-free flor instrumentation\n");
  return 0;
}
