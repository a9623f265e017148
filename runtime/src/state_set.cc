#include "state_set.h"

#include <torch/torch.h>

#include "rng.h"

namespace flor::rt {

void Collector::tensor(const std::string& key, at::Tensor& t) {
  if (!t.defined()) {
    const auto* e = stored(key);
    if (!e) return;
    t = at::zeros(e->shape, at::TensorOptions().dtype(e->dtype));
  }
  items.push_back({key, t});
}

void Collector::module(const std::string& key, torch::nn::Module& m) {
  for (auto& p : m.named_parameters(/*recurse=*/true)) items.push_back({key + "/" + p.key(), p.value()});
  for (auto& b : m.named_buffers(/*recurse=*/true)) items.push_back({key + "/" + b.key(), b.value()});
}

void Collector::optimizer(const std::string& key, torch::optim::Optimizer& o) { optimizer_items(o, key, *this); }

void Collector::scalar(const std::string& key, void* p, c10::ScalarType dtype) {
  // A view of the user's variable: capture copies from it, restore writes into it.
  items.push_back({key, at::from_blob(p, {}, at::TensorOptions().dtype(dtype))});
}

void Collector::value(const std::string& key, at::Tensor t, std::function<void(const at::Tensor&)> apply) {
  if (stored_ && !stored(key)) return;
  items.push_back({key, t});
  write_back.push_back([t, apply = std::move(apply)] { apply(t); });
}

const CheckpointEngine::Entry* Collector::stored(const std::string& key) const {
  if (!stored_) return nullptr;
  auto it = stored_->find(key);
  return it == stored_->end() ? nullptr : &it->second;
}

void StateSet::add(void* object, const std::string& type, detail::StateFn fn) {
  for (const Entry& e : entries_) {
    if (e.object == object && e.type == type) return;
  }
  entries_.push_back({object, type, fn});
}

void StateSet::collect(Collector& c) {
  for (size_t i = 0; i < entries_.size(); ++i) entries_[i].fn(c, std::to_string(i), entries_[i].object);
}

std::vector<StateItem> StateSet::capture_items() {
  Collector c;
  collect(c);
  rng_items(c.items);
  return std::move(c.items);
}

Status StateSet::restore(const std::string& path) {
  Status s = restore_items(path);
  if (s.ok() || s.message().find(path) != std::string::npos) return s;
  return s.with_context("checkpoint " + path);  // errors about a pack name the checkpoint too
}

Status StateSet::restore_items(const std::string& path) {
  FLOR_RETURN_IF_ERROR(CheckpointEngine::verify(path));
  FLOR_ASSIGN_OR_RETURN(auto listed, CheckpointEngine::list(path));
  StoredEntries stored;
  for (auto& e : listed) stored.emplace(e.key, e);
  Collector c(&stored);
  collect(c);
  std::vector<StateItem> rng;
  rng_items(rng);
  for (auto& r : rng) {
    if (const auto* e = c.stored(r.key)) c.items.push_back({r.key, at::empty(e->shape, at::TensorOptions().dtype(e->dtype))});
  }
  std::vector<StateItem> present;
  for (auto& item : c.items) {
    if (stored.count(item.key)) present.push_back(item);
  }
  FLOR_RETURN_IF_ERROR(CheckpointEngine::restore(path, present));
  for (auto& apply : c.write_back) apply();
  for (auto& item : present) {
    if (item.key.rfind("rng/", 0) == 0) FLOR_RETURN_IF_ERROR(set_rng_item(item));
  }
  return Status();
}

}  // namespace flor::rt
