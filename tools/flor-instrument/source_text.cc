#include "source_text.h"

#include "clang/Lex/Lexer.h"

namespace flor::instr {

bool is_within(const clang::SourceManager& sm, clang::SourceLocation loc, clang::SourceRange range) {
  loc = sm.getExpansionLoc(loc);
  clang::SourceLocation begin = sm.getExpansionLoc(range.getBegin());
  clang::SourceLocation end = sm.getExpansionLoc(range.getEnd());
  return !sm.isBeforeInTranslationUnit(loc, begin) && !sm.isBeforeInTranslationUnit(end, loc);
}

std::string text_of(const clang::ASTContext& ctx, clang::SourceRange range) {
  if (range.getBegin().isMacroID() || range.getEnd().isMacroID()) return "";
  return clang::Lexer::getSourceText(clang::CharSourceRange::getTokenRange(range),
                                     ctx.getSourceManager(), ctx.getLangOpts())
      .str();
}

clang::CharSourceRange statement_range(const clang::ASTContext& ctx, const clang::Stmt* stmt) {
  const clang::SourceManager& sm = ctx.getSourceManager();
  clang::SourceLocation end =
      clang::Lexer::getLocForEndOfToken(stmt->getEndLoc(), 0, sm, ctx.getLangOpts());
  // The last token of a loop with a compound body is its `}`; otherwise the
  // statement ends at the next `;`.
  bool ends_with_brace = end.isValid() && *sm.getCharacterData(stmt->getEndLoc()) == '}';
  if (!ends_with_brace) {
    clang::SourceLocation after_semi = clang::Lexer::findLocationAfterToken(
        stmt->getEndLoc(), clang::tok::semi, sm, ctx.getLangOpts(), /*SkipTrailingWhitespaceAndNewLine=*/false);
    if (after_semi.isValid()) end = after_semi;
  }
  return clang::CharSourceRange::getCharRange(stmt->getBeginLoc(), end);
}

namespace {
llvm::StringRef line_text(const clang::SourceManager& sm, clang::FileID file, unsigned line) {
  bool invalid = false;
  llvm::StringRef buffer = sm.getBufferData(file, &invalid);
  if (invalid || line == 0) return "";
  clang::SourceLocation start = sm.translateLineCol(file, line, 1);
  unsigned offset = sm.getFileOffset(start);
  llvm::StringRef rest = buffer.substr(offset);
  return rest.substr(0, rest.find('\n'));
}
}  // namespace

bool has_skip_marker(const clang::ASTContext& ctx, const clang::Stmt* stmt) {
  const clang::SourceManager& sm = ctx.getSourceManager();
  clang::SourceLocation loc = sm.getExpansionLoc(stmt->getBeginLoc());
  clang::FileID file = sm.getFileID(loc);
  unsigned line = sm.getExpansionLineNumber(loc);
  for (unsigned l = line > 1 ? line - 1 : line; l <= line; ++l) {
    if (line_text(sm, file, l).contains("flor: skip")) return true;
  }
  return false;
}

std::string indentation_of(const clang::ASTContext& ctx, clang::SourceLocation loc) {
  const clang::SourceManager& sm = ctx.getSourceManager();
  loc = sm.getExpansionLoc(loc);
  llvm::StringRef text = line_text(sm, sm.getFileID(loc), sm.getExpansionLineNumber(loc));
  return text.substr(0, text.find_first_not_of(" \t")).str();
}

std::string line_directive(const clang::SourceManager& sm, clang::SourceLocation loc) {
  clang::PresumedLoc p = sm.getPresumedLoc(sm.getExpansionLoc(loc));
  return "#line " + std::to_string(p.getLine()) + " \"" + std::string(p.getFilename()) + "\"\n";
}

std::string describe(const clang::SourceManager& sm, clang::SourceLocation loc) {
  clang::PresumedLoc p = sm.getPresumedLoc(sm.getExpansionLoc(loc));
  if (p.isInvalid()) return "<unknown>";
  return std::string(p.getFilename()) + ":" + std::to_string(p.getLine()) + ":" +
         std::to_string(p.getColumn());
}

}  // namespace flor::instr
