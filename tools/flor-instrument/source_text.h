// Small helpers over source locations: nesting by ranges (instead of
// hasAncestor, which builds a parent map of the whole TU), spelled text, and
// the `// flor: skip` marker.
#pragma once

#include <string>

#include "clang/AST/ASTContext.h"
#include "clang/AST/Stmt.h"

namespace flor::instr {

// True when `loc` lies inside `range` (expansion locations, inclusive).
bool is_within(const clang::SourceManager& sm, clang::SourceLocation loc, clang::SourceRange range);

// The source text of a token range, as written (empty inside macros).
std::string text_of(const clang::ASTContext& ctx, clang::SourceRange range);

// The whole statement as a character range, including a trailing `;` that an
// expression or a single-statement loop body leaves outside its own range.
clang::CharSourceRange statement_range(const clang::ASTContext& ctx, const clang::Stmt* stmt);

// True when a `// flor: skip` comment sits on the statement's line or the line
// just before it.
bool has_skip_marker(const clang::ASTContext& ctx, const clang::Stmt* stmt);

// The leading whitespace of the statement's line, to indent inserted lines.
std::string indentation_of(const clang::ASTContext& ctx, clang::SourceLocation loc);

// "#line N \"file\"\n" naming the line of `loc` (its expansion) as written,
// to follow inserted lines.
std::string line_directive(const clang::SourceManager& sm, clang::SourceLocation loc);

// "file:line:col" of a location (expansion location, absolute file name).
std::string describe(const clang::SourceManager& sm, clang::SourceLocation loc);

}  // namespace flor::instr
