#include "store/restores.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace flor::store {

bool Restores::refuse(Refusal r) {
  auto same = [&](const Refusal& x) { return x.path == r.path; };
  if (std::any_of(refused.begin(), refused.end(), same)) return false;
  if (refused.size() >= kStoredRefusals) {
    ++refused_more;
  } else {
    refused.push_back(std::move(r));
  }
  return true;
}

Status put_restores(Store& store, int64_t run, const Restores& r) {
  nlohmann::json refused = nlohmann::json::array();
  for (const auto& x : r.refused) {
    refused.push_back({{"path", x.path},
                       {"epoch", x.epoch},
                       {"seq", x.seq},
                       {"block", x.block},
                       {"error", x.error},
                       {"instead", x.instead}});
  }
  nlohmann::json j = {{"restored", r.restored}, {"refused", refused}, {"refused_more", r.refused_more}};
  return store.put_blob(run, kRestoresBlob, j.dump());
}

Result<Restores> restores(Store& store, int64_t run) {
  Result<std::string> bytes = store.blob(run, kRestoresBlob);
  if (!bytes.ok() && bytes.status().code() == Code::kNotFound) return Restores{};
  FLOR_RETURN_IF_ERROR(bytes.status());
  auto j = nlohmann::json::parse(*bytes, nullptr, false);
  auto bad = [&] {
    return corrupt("run " + std::to_string(run) + ": blob '" + std::string(kRestoresBlob) +
                   "' is not the JSON a replay writes");
  };
  if (!j.is_object()) return bad();
  try {
    Restores r;
    r.restored = j.value("restored", int64_t{0});
    r.refused_more = j.value("refused_more", int64_t{0});
    for (const auto& x : j.value("refused", nlohmann::json::array())) {
      r.refused.push_back({x.at("path").get<std::string>(), x.at("epoch").get<int64_t>(),
                           x.at("seq").get<int64_t>(), x.at("block").get<std::string>(),
                           x.at("error").get<std::string>(), x.at("instead").get<std::string>()});
    }
    return r;
  } catch (const nlohmann::json::exception&) {
    return bad();
  }
}

}  // namespace flor::store
