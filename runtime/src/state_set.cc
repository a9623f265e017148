#include "state_set.h"

#include <torch/torch.h>

#include "rng.h"

namespace flor::rt {
namespace {
constexpr const char* kLocalPrefix = "local/";
constexpr const char* kLocalCount = "local/n";
constexpr const char* kSizeSuffix = "/.size";
}  // namespace

void Collector::tensor(const std::string& key, at::Tensor& t) {
  if (in_locals_) {
    local_tensor(key, t);
    return;
  }
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
  module_modes(key, m);
}

// Train/eval mode of the module and each submodule, in pre-order (the module
// first), one byte each, under "<key>/.training" (a parameter path never
// starts with '.'). Restore sets them in the same order: Module::train() also
// sets every descendant, and later entries overwrite that with their own mode.
// modules(false) because modules(true) needs the module to be owned by a
// shared_ptr, which a registered `Module&` need not be.
void Collector::module_modes(const std::string& key, torch::nn::Module& m) {
  std::vector<torch::nn::Module*> all{&m};
  for (const auto& sub : m.modules(/*include_self=*/false)) all.push_back(sub.get());
  auto modes = at::empty({static_cast<int64_t>(all.size())}, at::kByte);
  auto* flags = modes.data_ptr<uint8_t>();
  for (size_t i = 0; i < all.size(); ++i) flags[i] = all[i]->is_training() ? 1 : 0;
  value(key + "/.training", modes, [all](const at::Tensor& t) {
    const auto* flags = t.data_ptr<uint8_t>();
    for (size_t i = 0; i < all.size(); ++i) all[i]->train(flags[i] != 0);
  });
}

void Collector::optimizer(const std::string& key, torch::optim::Optimizer& o) { optimizer_items(o, key, *this); }

void Collector::scalar(const std::string& key, void* p, c10::ScalarType dtype) {
  // A view of the user's variable: capture copies from it, restore writes into it.
  items.push_back({key, at::from_blob(p, {}, at::TensorOptions().dtype(dtype))});
}

size_t Collector::sequence_size(const std::string& key, size_t current) {
  const std::string size_key = key + kSizeSuffix;
  if (!restoring()) {
    items.push_back({size_key, at::empty({static_cast<int64_t>(current), 0}, at::kByte)});
    return current;
  }
  const auto* e = stored(size_key);
  return e && e->shape.size() == 2 ? static_cast<size_t>(e->shape[0]) : current;
}

void Collector::begin_locals(size_t count) {
  in_locals_ = true;
  if (restoring()) {
    locals_stored_ = stored(kLocalCount) != nullptr;
  } else {
    items.push_back({kLocalCount, at::scalar_tensor(static_cast<int64_t>(count), at::kLong)});
  }
}

void Collector::local_tensor(const std::string& key, at::Tensor& t) {
  if (!restoring()) {
    if (t.defined()) items.push_back({key, t});
    return;
  }
  const auto* e = stored(key);
  if (!e) {
    if (locals_stored_) write_back.push_back([&t] { t = at::Tensor(); });  // undefined at the capture
    return;
  }
  const at::TensorOptions options = t.defined() ? t.options() : at::TensorOptions();
  at::Tensor fresh = at::empty(e->shape, options.dtype(e->dtype));
  items.push_back({key, fresh});
  write_back.push_back([&t, fresh] { t = fresh; });
}

void Collector::value(const std::string& key, const at::Tensor& t,
                      std::function<void(const at::Tensor&)> apply) {
  if (stored_ && !stored(key)) return;
  items.push_back({key, t});
  write_back.push_back([t, apply = std::move(apply)] { apply(t); });
}

void Collector::owned_tensor(const std::string& key, at::Tensor& t) {
  if (restoring()) {
    const auto* e = stored(key);
    if (!e) {
      t = at::Tensor();
      return;
    }
    if (!t.defined() || t.scalar_type() != e->dtype || t.sizes() != at::IntArrayRef(e->shape)) {
      t = at::empty(e->shape, at::TensorOptions().dtype(e->dtype));
    }
  }
  tensor(key, t);
}

bool Collector::stored_under(const std::string& prefix) const {
  if (!stored_) return false;
  auto it = stored_->lower_bound(prefix);
  return it != stored_->end() && it->first.compare(0, prefix.size(), prefix) == 0;
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

void StateSet::collect(Collector& c, detail::LocalsView locals) {
  for (size_t i = 0; i < entries_.size(); ++i) entries_[i].fn(c, std::to_string(i), entries_[i].object);
  if (locals.empty()) return;
  c.begin_locals(locals.size);
  for (size_t i = 0; i < locals.size; ++i) {
    locals.data[i].fn(c, kLocalPrefix + std::to_string(i), locals.data[i].object);
  }
}

std::vector<StateItem> StateSet::capture_items(detail::LocalsView locals) {
  Collector c;
  collect(c, locals);
  rng_items(c.items);
  return std::move(c.items);
}

Status StateSet::restore(const std::string& path, detail::LocalsView locals,
                         const CheckpointOrigin* expected) {
  Status s = restore_items(path, locals, expected);
  if (s.ok() || s.message().find(path) != std::string::npos) return s;
  return s.with_context("checkpoint " + path);  // errors about a pack name the checkpoint too
}

Status StateSet::restore_items(const std::string& path, detail::LocalsView locals,
                               const CheckpointOrigin* expected) {
  FLOR_RETURN_IF_ERROR(CheckpointEngine::verify(path, expected));
  FLOR_ASSIGN_OR_RETURN(auto listed, CheckpointEngine::list(path));
  StoredEntries stored;
  for (auto& e : listed) stored.emplace(e.key, e);
  Collector c(&stored);
  collect(c, locals);
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
