// Runs the rules over files: parses each with its compile command (Clang
// LibTooling), then matches, analyzes and edits in registry order. Paths
// are made absolute first: ClangTool::run changes directory.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "clang/Tooling/CompilationDatabase.h"
#include "probes.h"
#include "rule.h"
#include "util/status.h"

namespace flor::instr {

struct FileOutcome {
  std::string path;                      // absolute
  std::string original;
  std::string instrumented;              // == original when nothing changed
  std::vector<std::string> diagnostics;  // file:line:col: warning: ... [flor-rule]
  std::string explanation;               // what --explain prints
  std::string nothing_done;              // when nothing was edited: why (empty otherwise)
  // For probe detection (InstrumentRequest::probe_facts): skip block name ->
  // the flor::log names inside it (sorted, with repeats), in plain and in
  // manual-API code alike.
  std::map<std::string, std::vector<std::string>> block_logs;
  LoopFacts loop_facts;  // for the verdict on a step loop (probes.h; probe_facts)
  // Every file the parse read but the main one (headers, system ones too):
  // what the probe cache of `flor replay` checks before it reuses an answer.
  std::vector<std::string> files_read;
  bool parsed = false;                   // false: the file had compile errors

  bool changed() const { return instrumented != original; }
};

struct InstrumentRequest {
  std::vector<std::string> files;
  Layout layout = Layout::kReadable;
  // Parse this text instead of a file's contents (path -> text): probe
  // detection parses the recorded version under the current path, so its
  // #includes resolve as they would have.
  std::map<std::string, std::string> overrides;
  // Fill FileOutcome::block_logs and loop_facts (probe detection only: an
  // instrumenting build has no use for them).
  bool probe_facts = false;
};

Result<std::vector<FileOutcome>> instrument(const clang::tooling::CompilationDatabase& db,
                                            const InstrumentRequest& request);

// The absolute, normalized form of `path` (relative to the current directory).
std::string absolute_path(const std::string& path);

}  // namespace flor::instr
