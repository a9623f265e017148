#include "replayer.h"

#include "warn.h"

#include <algorithm>
#include <cstdint>
#include <iterator>

#include "objstore/ckpt_sync.h"
#include "plan/record_shape.h"
#include "rng.h"
#include "store/restores.h"
#include "store/value.h"

namespace flor::rt {
namespace {
constexpr int kStoredDivergences = 10;  // the count is kept per epoch; details of the first few
}

Result<std::unique_ptr<Replayer>> Replayer::open(store::Store* store, int64_t run, int64_t record,
                                                 const Contract& contract) {
  std::unique_ptr<Replayer> r(new Replayer(store, run, record, contract));
  FLOR_RETURN_IF_ERROR(r->load());
  return r;
}

Status Replayer::load() {
  if (!contract_.ckpt_url.empty()) {
    FLOR_ASSIGN_OR_RETURN(objstore::S3Config config, objstore::s3_config(contract_.ckpt_url, process_env()));
    remote_ = std::make_unique<objstore::S3Client>(std::move(config));
  }
  FLOR_ASSIGN_OR_RETURN(shape_, plan::record_shape(*store_, record_));
  FLOR_ASSIGN_OR_RETURN(store::Run record, store_->run(record_));
  stopped_early_ = record.status != store::RunStatus::kComplete;
  FLOR_ASSIGN_OR_RETURN(auto epochs, store_->epochs(record_));
  for (auto& e : epochs) {
    if (e.epoch >= shape_.epochs) continue;
    period_starts_.insert(e.epoch);
    epoch_rng_[e.epoch] = std::move(e.rng);
  }
  FLOR_ASSIGN_OR_RETURN(auto cks, store_->checkpoints(record_));
  for (const auto& c : cks) checkpoints_[{c.epoch, c.seq}] = c;
  FLOR_ASSIGN_OR_RETURN(auto logs, store_->logs(record_));
  for (auto& l : logs) {
    if (l.hindsight) continue;
    recorded_names_.insert(l.name);
    recorded_[{l.epoch, l.step, l.name}].push_back(std::move(l));
  }
  init_ = plan::init_mode(shape_, contract_.init);
  FLOR_ASSIGN_OR_RETURN(plan_, plan::plan_segment(shape_, contract_.segment, init_, contract_.epochs));
  return Status();
}

const store::CheckpointRow* Replayer::checkpoint(int64_t epoch, int64_t seq) const {
  auto it = checkpoints_.find({epoch, seq});
  return it == checkpoints_.end() ? nullptr : &it->second;
}

// The restore refuses a file whose manifest names another origin than the
// row it is restored for, like a corrupt one: the warning names it, and the
// driver learns of it (store::Restores).
bool Replayer::restore(const store::CheckpointRow& c, StateSet& state, detail::LocalsView locals,
                       const std::string& instead, InRow in_row) {
  const std::string path = store_->dir() + "/" + c.path;
  const CheckpointOrigin origin{record_, c.epoch, c.seq, c.block};
  // From the object store into the local cache (same paths) unless cached and whole.
  Status s = remote_ ? objstore::fetch_checkpoint(*remote_, store_->dir(), contract_.name, c.path) : Status();
  if (s.ok()) s = state.restore(path, locals, &origin);
  if (s.ok()) {
    if (in_row == InRow::kNo) {
      ++restores_.restored;
      save_restores();
    }
    return true;
  }
  refuse(c, s, instead);
  return false;
}

void Replayer::refuse(const store::CheckpointRow& c, const Status& why, const std::string& instead) {
  warnings().warn("flor: warning: cannot restore {}/{}: {}; {}", store_->dir(), c.path, why.to_string(), instead);
  if (restores_.refuse({c.path, c.epoch, c.seq, c.block, why.to_string(), instead})) save_restores();
}

void Replayer::save_restores() {
  if (Status s = store::put_restores(*store_, run_, restores_); !s.ok())
    warnings().warn("flor: warning: {}", s.to_string());
}

Result<std::pair<int64_t, int64_t>> Replayer::main_begin(const std::string& name, StateSet& state) {
  step_ = is_step_loop(name);
  if (step_ && contract_.probes_complete && !probed(name)) {
    if (const store::CheckpointRow* c = checkpoint(shape_.epochs - 1, store::kEndOfIteration)) {
      // Counted in the row skipped_loop_row gives.
      if (restore(*c, state, {}, "running step loop '" + name + "'", InRow::kYes)) {
        skipped_from_ = store_->dir() + "/" + c->path;
        return std::make_pair(shape_.epochs, shape_.epochs);
      }
    }
  }
  std::optional<int64_t> after = plan_.restore_after;
  while (after) {
    // A restorable epoch's checkpoint is its last block's: the highest seq.
    auto last = std::prev(checkpoints_.upper_bound({*after, INT64_MAX}));
    if (restore(last->second, state, {}, "falling back to an earlier checkpoint", InRow::kNo)) break;
    auto it = std::lower_bound(shape_.restorable.begin(), shape_.restorable.end(), *after);
    after = it == shape_.restorable.begin() ? std::nullopt : std::optional<int64_t>(*(it - 1));
  }
  plan_.restore_after = after;
  if (init_ == InitMode::kWeak) plan_.start = after ? *after + 1 : 0;
  return std::make_pair(plan_.start, plan_.last + 1);
}

std::optional<store::EpochRow> Replayer::skipped_loop_row() {
  if (skipped_from_.empty() || skipped_row_given_) return std::nullopt;
  skipped_row_given_ = true;
  store::EpochRow row = make_row(plan_.first, plan_.last);
  row.skipped = 1;
  row.note = "step loop skipped: state restored from " + skipped_from_;
  return row;
}

void Replayer::epoch_begin(int64_t epoch) {
  if (!step_ || row_first_ < 0) epoch_skipped_ = epoch_executed_ = epoch_divergences_ = epoch_blocks_ = 0;
  if (step_ && row_first_ < 0 && epoch >= plan_.first) row_first_ = epoch;
  // Every epoch starts with the generator state it had at record time, so a
  // new statement that draws random numbers cannot shift later epochs.
  auto it = epoch_rng_.find(epoch);
  if (it != epoch_rng_.end() && !it->second.empty()) {
    if (Status s = set_cpu_rng_bytes(it->second); !s.ok()) warnings().warn("flor: warning: {}", s.to_string());
  }
}

bool Replayer::probed(const std::string& name) const {
  for (const auto& p : contract_.probes) {
    if (p == name || p == "*") return true;
  }
  return false;
}

bool Replayer::block_enter(int64_t epoch, int64_t seq, const std::string& name, StateSet& state,
                           detail::LocalsView locals) {
  ++epoch_blocks_;
  const store::CheckpointRow* c = checkpoint(epoch, seq);
  if (c && !probed(name)) {
    const std::string instead = "re-executing block '" + name + "' of epoch " + std::to_string(epoch);
    // Catch-up epochs write no row: their restores are counted apart.
    const InRow in_row = epoch >= plan_.first ? InRow::kYes : InRow::kNo;
    if (c->block != name) {
      // The record had another block at this place: the program's blocks changed
      // (order, or one added before it). Its state is not this block's.
      refuse(*c, failed_precondition("block #" + std::to_string(seq) + " of epoch " + std::to_string(epoch) +
                                     " was '" + c->block + "' in the record, is '" + name +
                                     "' now (the program's blocks changed since the record)"),
             instead);
    } else if (restore(*c, state, locals, instead, in_row)) {
      ++epoch_skipped_;
      if (!said_skip_output_) {
        said_skip_output_ = true;
        warnings().warn("flor: note: a skipped block prints nothing and writes no file again (torch::save, sample "
                        "images): its output is the record's (FLOR_HOME/{}/logs)", contract_.name);
      }
      return true;
    }
  }
  ++epoch_executed_;
  return false;
}

bool Replayer::on_log(store::LogRow& row, bool after_main) {
  if (row.epoch >= 0 && row.epoch < plan_.first) return false;  // catch-up epoch: another segment owns it
  const bool last_segment = plan_.last + 1 >= shape_.epochs;
  if (row.epoch < 0 && after_main && !last_segment) return false;  // after the loop: only the last segment
  // A record that stopped early (crash, kill) never ran what follows its main
  // loop: nothing there to compare with, and no hindsight value to fill in.
  if (row.epoch < 0 && after_main && stopped_early_) return false;
  if (recorded_names_.count(row.name)) {
    compare(row);
    return false;  // the record has it
  }
  if (row.epoch < 0 && !after_main && plan_.first != 0) return false;  // one copy of pre-loop hindsight logs
  row.run = record_;
  row.source = run_;
  row.hindsight = true;
  return true;
}

// Equal texts and equal payload bytes (a typed value's). When they differ,
// `replayed` gets what differs: a whole tensor's first differing element.
bool Replayer::same_value(const store::LogRow& recorded, const store::LogRow& row, std::string* replayed) const {
  if (recorded.data.empty() && recorded.blob.empty() && row.data.empty()) return recorded.value == row.value;
  auto payload = store::read_payload(store_->dir(), recorded);
  if (!payload.ok()) {
    *replayed += " (" + payload.status().message() + ")";
    return false;
  }
  if (recorded.value == row.value && *payload == row.data) return true;
  store::LogRow mine = row;  // its payload in memory (the blob file may not be written yet)
  mine.blob.clear();
  auto a = store::read_value(store_->dir(), recorded);
  auto b = store::read_value(store_->dir(), mine);
  if (!a.ok() || !b.ok()) return false;
  if (auto diff = store::first_difference(*a, *b)) {
    *replayed += " (" + diff->describe() + ")";
  } else if (recorded.value == row.value) {
    *replayed += " (same text, different bytes)";
  }
  return false;
}

void Replayer::compare(const store::LogRow& row) {
  LogKey key{row.epoch, row.step, row.name};
  size_t k = seen_[key]++;
  auto it = recorded_.find(key);
  const store::LogRow* recorded = it != recorded_.end() && k < it->second.size() ? &it->second[k] : nullptr;
  std::string replayed = row.value;
  if (recorded && same_value(*recorded, row, &replayed)) return;
  ++divergences_;
  ++epoch_divergences_;
  store::Divergence d{run_, row.epoch, row.step, row.name, recorded ? recorded->value : "", replayed, row.loc};
  if (!first_) first_ = d;
  if (stored_divergences_++ < kStoredDivergences) {
    if (Status s = store_->add_divergence(d); !s.ok()) warnings().warn("flor: warning: {}", s.to_string());
  }
}

store::EpochRow Replayer::make_row(int64_t first, int64_t last) {
  store::EpochRow row;
  row.run = run_;
  row.epoch = first;
  row.iters = last - first + 1;
  row.blocks = epoch_blocks_;
  row.skipped = epoch_skipped_;
  row.executed = epoch_executed_;
  row.divergences = epoch_divergences_;
  row.note = first < plan_.first ? "catch-up" : "replayed";
  return row;
}

std::optional<store::EpochRow> Replayer::epoch_end(int64_t epoch) {
  if (!step_) return make_row(epoch, epoch);
  if (row_first_ < 0) return std::nullopt;
  row_last_ = epoch;
  if (epoch < plan_.last && epoch + 1 < shape_.epochs && !period_starts_.count(epoch + 1)) return std::nullopt;
  return period_left();
}

std::optional<store::EpochRow> Replayer::period_left() {
  if (row_first_ < 0 || row_last_ < row_first_) return std::nullopt;
  store::EpochRow row = make_row(row_first_, row_last_);
  row_first_ = row_last_ = -1;
  return row;
}

}  // namespace flor::rt
