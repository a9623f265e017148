// Optimizer state as checkpoint items. LibTorch 1.13 keys an optimizer's
// per-parameter state by the parameter's TensorImpl address, so items are
// named by position instead ("<key>/g<group>/p<index>/<field>"): parameter
// order must stay stable (TOOLCHAIN.md). A fresh replay process has no state
// before the first step; restore creates it from the checkpoint's entries.
#include <torch/torch.h>

#include "state_set.h"

namespace flor::rt {
namespace {

using torch::optim::OptimizerParamState;

// Calls f(name, Tensor&) / f(name, int64_t&) for each field of a known state.
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
  return nullptr;
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
      const std::string id = c10::guts::to_string(params[i].unsafeGetTensorImpl());
      auto it = o.state().find(id);
      if (it == o.state().end()) {
        // Restore into a fresh process: create the state the checkpoint has.
        if (!c.stored(pkey + "/step") && !c.stored(pkey + "/exp_avg") && !c.stored(pkey + "/momentum_buffer") &&
            !c.stored(pkey + "/square_avg") && !c.stored(pkey + "/sum")) {
          continue;
        }
        auto fresh = new_param_state(o);
        if (!fresh) continue;
        it = o.state().emplace(id, std::move(fresh)).first;
      }
      param_state_fields(*it->second, [&](const char* field, auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, at::Tensor>) {
          c.tensor(pkey + "/" + field, v);
        } else {
          c.scalar(pkey + "/" + field, &v, c10::ScalarType::Long);
        }
      });
    }
  }
}

}  // namespace flor::rt
