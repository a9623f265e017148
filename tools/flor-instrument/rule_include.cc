// include: an instrumented file includes <flor/flor.h>, before its first
// #include (or at the top). In launcher and print modes a #line directive
// follows, so every later line keeps its original number.
#include "api_spelling.h"
#include "rules.h"
#include "source_text.h"

namespace flor::instr {
namespace {

constexpr const char* kRule = "include";

class IncludeRule : public Rule {
 public:
  using Rule::Rule;

  void emit(EditSink& sink, Layout layout, Reporter& reporter) override {
    if (!state_.edited) return;
    const clang::SourceManager& sm = state_.context->getSourceManager();
    clang::FileID main = sm.getMainFileID();
    llvm::StringRef text = sm.getBufferData(main);
    size_t offset = first_include(text);
    std::string line = std::string("#include <") + api::kHeader + ">\n";
    clang::SourceLocation loc = sm.getLocForStartOfFile(main).getLocWithOffset(static_cast<int>(offset));
    if (layout != Layout::kReadable) line += line_directive(sm, loc);
    report_edit(sink.insert_before(loc, line), kRule, loc, reporter);
  }

 private:
  // The offset of the first line that starts with #include, else 0.
  static size_t first_include(llvm::StringRef text) {
    size_t offset = 0;
    while (offset < text.size()) {
      llvm::StringRef line = text.substr(offset, text.find('\n', offset) - offset);
      if (line.ltrim().startswith("#include") || line.ltrim().startswith("# include")) return offset;
      size_t next = text.find('\n', offset);
      if (next == llvm::StringRef::npos) break;
      offset = next + 1;
    }
    return 0;
  }
};

}  // namespace

std::unique_ptr<Rule> make_include_rule(TuState& state) { return std::make_unique<IncludeRule>(state); }

}  // namespace flor::instr
