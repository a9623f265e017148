// The registered state (flor::checkpoints) and a block's locals
// (flor::locals) turned into checkpoint items and back. Keys: "<n>/<path>"
// for the n-th registered object ("0/fc1.weight", "1/g0/p3/exp_avg", "2/7"
// for element 7 of a vector, "2/.size" for its length), "local/<i>[/<path>]"
// for the block's i-th local with "local/n" (their count), "rng/cpu" and
// "rng/cuda<i>" for the generators. Format of the keys: docs/store-format.md.
//
// Not thread-safe: used from the training thread.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ckpt/engine.h"
#include "flor/state.h"

namespace flor::rt {

using StoredEntries = std::map<std::string, CheckpointEngine::Entry>;

// Walks registered objects (through their visit_state) into items. When
// `stored` is given (restore), creates optimizer state that a fresh process
// does not have yet and tensors that are still undefined, shaped as stored.
class Collector final : public StateVisitor {
 public:
  explicit Collector(const StoredEntries* stored = nullptr) : stored_(stored) {}

  void tensor(const std::string& key, at::Tensor& t) override;
  void module(const std::string& key, torch::nn::Module& m) override;
  void optimizer(const std::string& key, torch::optim::Optimizer& o) override;
  void scalar(const std::string& key, void* p, c10::ScalarType dtype) override;
  // Capture: item "<key>/.size", a uint8 tensor of shape [length, 0] (no
  // bytes: the shape is the value, so restore knows it before reading).
  size_t sequence_size(const std::string& key, size_t current) override;

  // What follows are a block's `count` locals (StateSet::collect): a tensor
  // among them is the value of a variable, not storage shared with others
  // (see local_tensor); capture also writes "local/n".
  void begin_locals(size_t count);

  // A value that is not a tensor: captured through a fresh tensor; after a
  // restore, `apply` writes the tensor back.
  void value(const std::string& key, const at::Tensor& t, std::function<void(const at::Tensor&)> apply);
  // State that only its owner (an optimizer) references, so restore may
  // replace the tensor: on capture like tensor() (an undefined one is left
  // out); on restore it becomes a tensor shaped as stored when its dtype or
  // shape differ (or it is undefined), and undefined when the checkpoint lacks
  // `key` (it was undefined at the capture).
  void owned_tensor(const std::string& key, at::Tensor& t);
  // Restore: the stored entry for `key`, or nullptr.
  const CheckpointEngine::Entry* stored(const std::string& key) const;
  // Restore: whether the checkpoint has any key that starts with `prefix`.
  bool stored_under(const std::string& prefix) const;
  bool restoring() const { return stored_ != nullptr; }

  std::vector<StateItem> items;
  std::vector<std::function<void()>> write_back;

 private:
  void module_modes(const std::string& key, torch::nn::Module& m);
  // A local tensor. Capture: like tensor() (an undefined one is left out).
  // Restore: the variable is bound to a new tensor holding the stored value
  // (on the device it had; nothing else that shared its old storage changes),
  // or made undefined when the checkpoint has locals but not `key`; all after
  // the whole restore succeeded.
  void local_tensor(const std::string& key, at::Tensor& t);
  const StoredEntries* stored_;
  bool in_locals_ = false;
  bool locals_stored_ = false;  // restore: the checkpoint has "local/n"
};

class StateSet {
 public:
  // Registers an object once (same address and type: ignored).
  void add(void* object, const std::string& type, detail::StateFn fn);
  bool empty() const { return entries_.empty(); }

  // The current state, the block's `locals` and the generators, for a capture.
  std::vector<StateItem> capture_items(detail::LocalsView locals = {});
  // Restores registered state, `locals` and generators from checkpoint
  // `path`. Verifies the file first, so a corrupt checkpoint changes nothing
  // and the error names the file. Keys that the checkpoint lacks are left as
  // they are (a checkpoint written without locals leaves them as they are).
  // With `expected`, a checkpoint whose manifest names another run, epoch or
  // block is refused (kCorrupt) before anything changes.
  Status restore(const std::string& path, detail::LocalsView locals = {},
                 const CheckpointOrigin* expected = nullptr);

 private:
  void collect(Collector& c, detail::LocalsView locals);
  Status restore_items(const std::string& path, detail::LocalsView locals, const CheckpointOrigin* expected);

  struct Entry {
    void* object;
    std::string type;
    detail::StateFn fn;
  };
  std::vector<Entry> entries_;
};

// Lists the optimizer's per-group learning rate and per-parameter state
// (Adam, AdamW, SGD, RMSprop, Adagrad; all of LBFGS) into `c`; see optim_state.cc.
void optimizer_items(torch::optim::Optimizer& o, const std::string& key, Collector& c);

}  // namespace flor::rt
