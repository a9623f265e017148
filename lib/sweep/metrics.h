// The metrics of one run over its epochs: from the store's logs when the run
// was recorded, else parsed from the program's own output.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/store.h"
#include "sweep/config.h"

namespace flor::sweep {

// metric name -> epoch -> value. Epoch -1 holds values logged outside the
// main loop (a final test accuracy, say).
using History = std::map<std::string, std::map<int64_t, double>>;

// Numeric logs of a recorded run (its own, not hindsight ones); NaN and inf
// are kept (plots mark them). Several
// values of one name in one epoch (per step) keep the last.
History history_from_logs(const std::vector<store::LogRow>& rows);

// Fallback for programs that are not recorded: lines of the output that name
// an epoch ("epoch 3", "epoch=3", "epoch: 3/5") and numeric pairs on the
// same line ("loss=0.41", "acc: 0.83"). Other lines are ignored.
History history_from_output(const std::string& text);

// {"version": 1, "metrics": {name: {"epochs": [...], "values": [...]}}}
Json history_to_json(const History& history);
// name -> value at the last epoch that logged it.
Json final_metrics(const History& history);

}  // namespace flor::sweep
