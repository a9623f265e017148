// `flor query`: read-only SQL over a documented view of an experiment's store
// (docs/store-format.md, "Query views"), so the schema's tables may change
// while queries keep working:
//
//   logs(run, kind, epoch, step, name, value, type, hindsight)
//     run: the recorded run; kind: scalar, text, tensor, histogram or image;
//     value: exact text (typed values: their short form, store/value.h)
//   runs(id, kind, parent, status, vid, started, ended, exit_code)
//   args(run, name, value)
//
// The database is opened read-only, and a statement that would write (or is
// not one statement) is refused before it runs: nothing is ever changed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace flor::store {

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;  // nullopt: SQL NULL; blobs as bytes
};

// Runs `sql` on FLOR_HOME/NAME/flor.db (`db_path`). A syntax error, an
// unknown table or column, several statements, or a statement that writes is
// kInvalidArgument naming the problem and the views.
Result<QueryResult> query(const std::string& db_path, const std::string& sql);

}  // namespace flor::store
