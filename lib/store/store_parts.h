// Pieces both store backends share (store.cc: SQLite, pg_store.cc: PostgreSQL).
#pragma once

#include <string>

#include "store/store.h"

namespace flor::store {

Result<RunKind> parse_kind(const std::string& s);
RunStatus parse_status(const std::string& s);
// 8 random hex digits: a new store's id (Store::id).
std::string new_store_id();

}  // namespace flor::store
