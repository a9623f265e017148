// Optimizer state as checkpoint items. LibTorch keys an optimizer's
// per-parameter state by the parameter's TensorImpl address (torch_compat.h), so items are
// named by position instead ("<key>/g<group>/p<index>/<field>"): parameter
// order must stay stable. A fresh replay process has no state
// before the first step; restore creates it from the checkpoint's entries.
// Supported: Adam, AdamW, SGD, RMSprop, Adagrad, LBFGS (its whole state:
// counters, direction, step, history, scratch).
#include <torch/torch.h>

#include <deque>

#include "state_set.h"
#include "torch_compat.h"

namespace flor::rt {
namespace {

using torch::optim::OptimizerParamState;

// Calls f(name, field&) for each field of a known state: Tensor, int64_t,
// double, std::deque<Tensor> (LBFGS history) or optional<vector<Tensor>>.
template <typename F>
bool param_state_fields(OptimizerParamState& s, F&& f) {
  if (auto* a = dynamic_cast<torch::optim::AdamParamState*>(&s)) {
    f("step", a->step()), f("exp_avg", a->exp_avg()), f("exp_avg_sq", a->exp_avg_sq());
    f("max_exp_avg_sq", a->max_exp_avg_sq());
  } else if (auto* w = dynamic_cast<torch::optim::AdamWParamState*>(&s)) {
    f("step", w->step()), f("exp_avg", w->exp_avg()), f("exp_avg_sq", w->exp_avg_sq());
    f("max_exp_avg_sq", w->max_exp_avg_sq());
  } else if (auto* g = dynamic_cast<torch::optim::SGDParamState*>(&s)) {
    f("momentum_buffer", g->momentum_buffer());
  } else if (auto* r = dynamic_cast<torch::optim::RMSpropParamState*>(&s)) {
    f("step", r->step()), f("square_avg", r->square_avg()), f("momentum_buffer", r->momentum_buffer());
    f("grad_avg", r->grad_avg());
  } else if (auto* d = dynamic_cast<torch::optim::AdagradParamState*>(&s)) {
    f("step", d->step()), f("sum", d->sum());
  } else if (auto* l = dynamic_cast<torch::optim::LBFGSParamState*>(&s)) {
    // LBFGS keeps one state, under its first parameter.
    f("func_evals", l->func_evals()), f("n_iter", l->n_iter()), f("t", l->t()), f("prev_loss", l->prev_loss());
    f("d", l->d()), f("H_diag", l->H_diag()), f("prev_flat_grad", l->prev_flat_grad());
    f("old_dirs", l->old_dirs()), f("old_stps", l->old_stps()), f("ro", l->ro()), f("al", l->al());
  } else {
    return false;
  }
  return true;
}

std::unique_ptr<OptimizerParamState> new_param_state(torch::optim::Optimizer& o) {
  if (dynamic_cast<torch::optim::Adam*>(&o)) return std::make_unique<torch::optim::AdamParamState>();
  if (dynamic_cast<torch::optim::AdamW*>(&o)) return std::make_unique<torch::optim::AdamWParamState>();
  if (dynamic_cast<torch::optim::SGD*>(&o)) return std::make_unique<torch::optim::SGDParamState>();
  if (dynamic_cast<torch::optim::RMSprop*>(&o)) return std::make_unique<torch::optim::RMSpropParamState>();
  if (dynamic_cast<torch::optim::Adagrad*>(&o)) return std::make_unique<torch::optim::AdagradParamState>();
  if (dynamic_cast<torch::optim::LBFGS*>(&o)) return std::make_unique<torch::optim::LBFGSParamState>();
  return nullptr;
}

// A history of tensors whose length changes: element i under "<key>/<i>". On
// restore the length is the number of consecutive stored elements.
void tensor_list(const std::string& key, std::deque<at::Tensor>& list, Collector& c) {
  if (c.restoring()) {
    size_t n = 0;
    while (c.stored(key + "/" + std::to_string(n))) ++n;
    list.resize(n);
  }
  for (size_t i = 0; i < list.size(); ++i) c.owned_tensor(key + "/" + std::to_string(i), list[i]);
}

// An optional vector whose elements may be undefined (LBFGS's `al`): "<key>"
// is a byte per element (1: defined), so its shape gives the length before
// anything is read; defined elements under "<key>/<i>".
void optional_tensors(const std::string& key, c10::optional<std::vector<at::Tensor>>& v, Collector& c) {
  if (c.restoring()) {
    const auto* e = c.stored(key);
    if (!e || e->shape.size() != 1) {
      v = c10::nullopt;
      return;
    }
    if (!v || v->size() != static_cast<size_t>(e->shape[0])) v = std::vector<at::Tensor>(e->shape[0]);
  } else if (!v) {
    return;
  }
  auto defined = at::empty({static_cast<int64_t>(v->size())}, at::kByte);
  for (size_t i = 0; i < v->size(); ++i) defined.data_ptr<uint8_t>()[i] = (*v)[i].defined() ? 1 : 0;
  c.value(key, defined, [](const at::Tensor&) {});  // its shape is what restore needs
  for (size_t i = 0; i < v->size(); ++i) c.owned_tensor(key + "/" + std::to_string(i), (*v)[i]);
}

void group_lr(torch::optim::OptimizerOptions& options, const std::string& key, Collector& c) {
  double lr = 0;
  try {
    lr = options.get_lr();
  } catch (const std::exception&) {
    return;  // options without a learning rate
  }
  c.value(key + "/lr", at::scalar_tensor(lr, at::kDouble),
          [&options](const at::Tensor& t) { options.set_lr(t.item<double>()); });
}

}  // namespace

void optimizer_items(torch::optim::Optimizer& o, const std::string& key, Collector& c) {
  auto& groups = o.param_groups();
  for (size_t g = 0; g < groups.size(); ++g) {
    const std::string gkey = key + "/g" + std::to_string(g);
    group_lr(groups[g].options(), gkey, c);
    auto& params = groups[g].params();
    for (size_t i = 0; i < params.size(); ++i) {
      const std::string pkey = gkey + "/p" + std::to_string(i);
      const auto id = compat::optimizer_state_key(o, params[i]);
      auto it = o.state().find(id);
      if (it == o.state().end()) {
        // Restore into a fresh process: create the state the checkpoint has.
        if (!c.stored_under(pkey + "/")) continue;
        auto fresh = new_param_state(o);
        if (!fresh) continue;
        it = o.state().emplace(id, std::move(fresh)).first;
      } else if (c.restoring() && !c.stored_under(pkey + "/")) {
        continue;  // the checkpoint has no state for it: left as it is
      }
      param_state_fields(*it->second, [&](const char* field, auto& v) {
        using V = std::decay_t<decltype(v)>;
        const std::string fkey = pkey + "/" + field;
        if constexpr (std::is_same_v<V, at::Tensor>) {
          c.owned_tensor(fkey, v);
        } else if constexpr (std::is_same_v<V, std::deque<at::Tensor>>) {
          tensor_list(fkey, v, c);
        } else if constexpr (std::is_same_v<V, c10::optional<std::vector<at::Tensor>>>) {
          optional_tensors(fkey, v, c);
        } else {
          static_assert(std::is_same_v<V, int64_t> || std::is_same_v<V, double>);
          c.scalar(fkey, &v, std::is_same_v<V, double> ? c10::ScalarType::Double : c10::ScalarType::Long);
        }
      });
    }
  }
}

}  // namespace flor::rt
