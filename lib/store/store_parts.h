// Pieces both store backends share (store.cc: SQLite, pg_store.cc: PostgreSQL).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "store/run_info.h"
#include "store/store.h"

namespace flor::store {

Result<RunKind> parse_kind(const std::string& s);
RunStatus parse_status(const std::string& s);
// 8 random hex digits: a new store's id (Store::id).
std::string new_store_id();

// Rows are read back alike from both backends: each list below is selected
// in its order, and a row is read through `r` with int64(c), real(c),
// text(c), bytes(c) (a BLOB, a bytea) and is_null(c), c counting from 0.
inline constexpr const char* kRunColumns =
    "id, name, kind, parent, status, vid, started, ended, exit_code, command, info, host, pid, pid_start";
inline constexpr const char* kLogColumns =
    "run, source, epoch, step, name, value, type, loc, hindsight, data, blob";
inline constexpr const char* kCheckpointColumns =
    "run, epoch, seq, block, path, bytes, state_bytes, stall_s, write_s, reason, location";
inline constexpr const char* kEpochColumns =
    "run, epoch, seconds, ended, blocks, skipped, executed, divergences, rng, note, iters";
inline constexpr const char* kDivergenceColumns = "run, epoch, step, name, recorded, replayed, loc";

// `bad_info(id, why)`: the error for a run whose info does not decode.
template <typename Row, typename F>
Result<Run> run_of(const Row& r, F&& bad_info) {
  Run run;
  run.id = r.int64(0);
  run.name = r.text(1);
  FLOR_ASSIGN_OR_RETURN(run.kind, parse_kind(r.text(2)));
  if (!r.is_null(3)) run.parent = r.int64(3);
  run.status = parse_status(r.text(4));
  run.vid = r.text(5);
  run.started = r.real(6);
  if (!r.is_null(7)) run.ended = r.real(7);
  if (!r.is_null(8)) run.exit_code = static_cast<int>(r.int64(8));
  const nlohmann::json cmd = nlohmann::json::parse(r.text(9), nullptr, /*allow_exceptions=*/false);
  if (cmd.is_array()) {
    for (const auto& a : cmd) {
      if (a.is_string()) run.command.push_back(a.get<std::string>());
    }
  }
  Result<RunInfo> info = decode_run_info(r.text(10));
  if (!info.ok()) return bad_info(run.id, info.status());
  run.info = std::move(*info);
  if (!r.is_null(12)) run.process = RunProcess{r.text(11), r.int64(12), r.is_null(13) ? 0 : r.int64(13)};
  return run;
}

template <typename Row>
LogRow log_of(const Row& r) {
  LogRow l;
  l.run = r.int64(0);
  l.source = r.int64(1);
  l.epoch = r.int64(2);
  l.step = r.int64(3);
  l.name = r.text(4);
  l.value = r.text(5);
  l.type = r.text(6);
  l.loc = r.text(7);
  l.hindsight = r.int64(8) != 0;
  if (!r.is_null(9)) l.data = r.bytes(9);
  if (!r.is_null(10)) l.blob = r.text(10);
  return l;
}

template <typename Row>
CheckpointRow checkpoint_of(const Row& r) {
  CheckpointRow c;
  c.run = r.int64(0);
  c.epoch = r.int64(1);
  c.seq = r.int64(2);
  c.block = r.text(3);
  c.path = r.text(4);
  c.bytes = r.int64(5);
  c.state_bytes = r.int64(6);
  c.stall_s = r.real(7);
  c.write_s = r.real(8);
  c.reason = r.text(9);
  c.location = r.text(10);
  return c;
}

template <typename Row>
EpochRow epoch_of(const Row& r) {
  EpochRow e;
  e.run = r.int64(0);
  e.epoch = r.int64(1);
  e.seconds = r.real(2);
  e.ended = r.real(3);
  e.blocks = r.int64(4);
  e.skipped = r.int64(5);
  e.executed = r.int64(6);
  e.divergences = r.int64(7);
  if (!r.is_null(8)) e.rng = r.bytes(8);
  e.note = r.text(9);
  e.iters = r.int64(10);
  return e;
}

template <typename Row>
Divergence divergence_of(const Row& r) {
  return Divergence{r.int64(0), r.int64(1), r.int64(2), r.text(3), r.text(4), r.text(5), r.text(6)};
}

}  // namespace flor::store
