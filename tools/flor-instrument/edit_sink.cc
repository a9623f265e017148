#include "edit_sink.h"

#include "clang/Lex/Lexer.h"
#include "source_text.h"

namespace flor::instr {

Status EditSink::check(clang::SourceLocation loc) const {
  const clang::SourceManager& sm = rewriter_.getSourceMgr();
  if (loc.isInvalid()) return internal_error("edit at an invalid location");
  if (loc.isMacroID()) return failed_precondition(describe(sm, loc) + ": inside a macro expansion");
  if (!sm.isInMainFile(loc)) return failed_precondition(describe(sm, loc) + ": outside the main file");
  return Status();
}

Status EditSink::insert_before(clang::SourceLocation loc, const std::string& text) {
  FLOR_RETURN_IF_ERROR(check(loc));
  if (rewriter_.InsertTextBefore(loc, text)) return internal_error("cannot insert at " + describe(rewriter_.getSourceMgr(), loc));
  changed_ = true;
  return Status();
}

Status EditSink::insert_at(clang::SourceLocation loc, const std::string& text) {
  FLOR_RETURN_IF_ERROR(check(loc));
  if (rewriter_.InsertTextAfter(loc, text)) return internal_error("cannot insert at " + describe(rewriter_.getSourceMgr(), loc));
  changed_ = true;
  return Status();
}

Status EditSink::insert_after_token(clang::SourceLocation loc, const std::string& text) {
  FLOR_RETURN_IF_ERROR(check(loc));
  clang::SourceLocation end =
      clang::Lexer::getLocForEndOfToken(loc, 0, rewriter_.getSourceMgr(), rewriter_.getLangOpts());
  return insert_at(end, text);
}

Status EditSink::replace(clang::CharSourceRange range, const std::string& text) {
  FLOR_RETURN_IF_ERROR(check(range.getBegin()));
  FLOR_RETURN_IF_ERROR(check(range.getEnd()));
  if (rewriter_.ReplaceText(range, text)) return internal_error("cannot replace text at " + describe(rewriter_.getSourceMgr(), range.getBegin()));
  changed_ = true;
  return Status();
}

std::string EditSink::result() const {
  const clang::SourceManager& sm = rewriter_.getSourceMgr();
  clang::FileID main = sm.getMainFileID();
  if (const clang::RewriteBuffer* buffer = rewriter_.getRewriteBufferFor(main)) {
    return std::string(buffer->begin(), buffer->end());
  }
  return sm.getBufferData(main).str();
}

}  // namespace flor::instr
