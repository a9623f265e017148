// The one place edits go through. It refuses edits that are not
// safe to make: outside the main file, or inside a macro expansion.
#pragma once

#include <string>

#include "clang/Rewrite/Core/Rewriter.h"
#include "util/status.h"

namespace flor::instr {

class EditSink {
 public:
  EditSink(clang::SourceManager& sm, const clang::LangOptions& lang) : rewriter_(sm, lang) {}

  Status insert_before(clang::SourceLocation loc, const std::string& text);
  // Inserts after the token that starts at `loc`.
  Status insert_after_token(clang::SourceLocation loc, const std::string& text);
  Status insert_at(clang::SourceLocation loc, const std::string& text);  // a character location
  Status replace(clang::CharSourceRange range, const std::string& text);

  bool changed() const { return changed_; }
  // The main file with all edits applied.
  std::string result() const;

 private:
  Status check(clang::SourceLocation loc) const;

  clang::Rewriter rewriter_;
  bool changed_ = false;
};

}  // namespace flor::instr
