// Tables for the terminal and for machines: aligned columns (values shortened
// for reading), CSV and JSON (exact text: full precision).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "util/status.h"

namespace flor::report {

enum class Format { kTable, kCsv, kJson };

// "table" | "csv" | "json"; the error lists the choices.
Result<Format> parse_format(const std::string& text);

using Cell = std::optional<std::string>;  // nullopt: no value here

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;  // each row has columns.size() cells
  std::string footnote;                 // printed under an aligned table only
  // Cells (row, column) that hold JSON text: kJson writes them as they are.
  std::set<std::pair<size_t, size_t>> json_cells;
  // Columns of text that may read as numbers (commit ids: "12e4567890"):
  // kTable shows them as they are, left-aligned.
  std::set<size_t> text_columns;
};

// kTable: right-aligned numbers, floats shown with 6 significant digits, "-"
// for missing cells. kCsv: RFC 4180, empty for missing. kJson: an array of
// objects; numbers stay numbers with their exact text, missing cells are null.
std::string render(const Table& table, Format format);

// A JSON number's text as-is when `text` is one (so "0.10000000149011612"
// keeps every digit); nullopt otherwise.
std::optional<std::string> json_number(const std::string& text);

}  // namespace flor::report
