#include "compiler_launcher.h"

#include <fstream>
#include <regex>
#include <sstream>

#include "clang/Tooling/CompilationDatabase.h"
#include "instrumenter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

namespace flor::instr {
namespace {

bool is_source_name(llvm::StringRef arg) {
  return arg.endswith(".cc") || arg.endswith(".cpp") || arg.endswith(".cxx") || arg.endswith(".c++") ||
         arg.endswith(".C");
}

bool takes_value(llvm::StringRef flag) {
  return flag == "-o" || flag == "-MF" || flag == "-MT" || flag == "-MQ" || flag == "-include" || flag == "-x" ||
         flag == "-isystem" || flag == "-I" || flag == "-iquote" || flag == "-D";
}

// The compiler's index: past wrappers such as ccache.
size_t compiler_index(const std::vector<std::string>& args) {
  llvm::StringRef name = llvm::sys::path::filename(args[0]);
  return (name == "ccache" || name == "sccache") && args.size() > 1 ? 1 : 0;
}

struct CommandShape {
  size_t compiler = 0;
  long source = -1;     // index of the one source file
  std::string object;   // -o value, if any
  bool compile_only = false;
};

CommandShape shape_of(const std::vector<std::string>& args) {
  CommandShape shape;
  shape.compiler = compiler_index(args);
  int sources = 0;
  for (size_t i = shape.compiler + 1; i < args.size(); ++i) {
    llvm::StringRef arg = args[i];
    if (arg == "-c") shape.compile_only = true;
    if (arg == "-o" && i + 1 < args.size()) shape.object = args[i + 1];
    if (takes_value(arg)) {
      ++i;
      continue;
    }
    if (!arg.startswith("-") && is_source_name(arg)) {
      shape.source = static_cast<long>(i);
      ++sources;
    }
  }
  if (sources != 1) shape.source = -1;
  return shape;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Parsing a TU again costs about as much as compiling it: skip the files that
// cannot hold a main loop. One does when it defines main, or (a trainer's
// fit() in its own file) when it trains: backward(), step(), an optimizer or
// a data loader is named in it.
bool may_hold_main_loop(const std::string& text) {
  static const std::regex kMarks(R"(\bmain\s*\(|\bbackward\s*\(|\bstep\s*\(|[Oo]ptim|[Ll]oader)");
  return std::regex_search(text, kMarks);
}

std::string output_path(const CommandShape& shape, const std::string& source) {
  if (!shape.object.empty()) return absolute_path(shape.object) + ".flor.cc";
  llvm::SmallString<128> tmp;
  llvm::sys::path::system_temp_directory(/*erasedOnReboot=*/true, tmp);
  llvm::sys::path::append(tmp, "flor-" + llvm::sys::path::filename(source).str() + ".flor.cc");
  return std::string(tmp.str());
}

// Instruments the source; empty result text means "compile the original".
Result<std::string> instrumented_text(const std::vector<std::string>& args, const CommandShape& shape,
                                      const std::string& source, std::vector<std::string>& diagnostics) {
  std::vector<std::string> flags;
  for (size_t i = shape.compiler + 1; i < args.size(); ++i) {
    if (static_cast<long>(i) != shape.source) flags.push_back(args[i]);
  }
  llvm::SmallString<256> cwd;
  llvm::sys::fs::current_path(cwd);
  clang::tooling::FixedCompilationDatabase db(cwd, flags);
  InstrumentRequest request;
  request.files = {source};
  request.layout = Layout::kKeepLines;
  FLOR_ASSIGN_OR_RETURN(std::vector<FileOutcome> outcomes, instrument(db, request));
  const FileOutcome& outcome = outcomes.front();
  if (!outcome.parsed) return failed_precondition("flor-instrument could not parse " + source);
  diagnostics = outcome.diagnostics;
  return outcome.changed() ? outcome.instrumented : std::string();
}

}  // namespace

bool is_compiler_command(const std::vector<std::string>& args) {
  if (args.empty() || llvm::StringRef(args[0]).startswith("-") || is_source_name(args[0])) return false;
  return static_cast<bool>(llvm::sys::findProgramByName(args[0]));
}

CompilePlan plan_compile(const std::vector<std::string>& args) {
  CompilePlan plan;
  plan.command = args;
  CommandShape shape = shape_of(args);
  if (shape.source < 0 || !shape.compile_only) return plan;
  std::string source = absolute_path(args[shape.source]);
  if (!may_hold_main_loop(read_file(source))) return plan;
  Result<std::string> text = instrumented_text(args, shape, source, plan.diagnostics);
  if (!text.ok()) {
    plan.note = "flor-instrument: compiling " + source + " uninstrumented: " + text.status().message();
    return plan;
  }
  if (text->empty()) return plan;
  std::string out = output_path(shape, source);
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  file << *text;
  if (!file.flush()) {
    plan.note = "flor-instrument: cannot write " + out + "; compiling " + source + " uninstrumented";
    return plan;
  }
  plan.command[shape.source] = out;
  std::string dir = llvm::sys::path::parent_path(source).str();
  plan.command.insert(plan.command.begin() + static_cast<long>(shape.compiler) + 1, {"-iquote", dir});
  return plan;
}

}  // namespace flor::instr
