// The places a sweep runs its permutations, over drv's device discovery and
// slot assignment (sched/devices.h): one run per GPU (more only when
// meta.runs_per_gpu asks), else CPU slots with pinned thread counts.
#pragma once

#include <string>
#include <vector>

#include "sched/devices.h"
#include "sweep/config.h"

namespace flor::sweep {

using Slot = sched::Slot;

// The slots for `meta` on `devices`: GPUs x runs_per_gpu (pinned with
// CUDA_VISIBLE_DEVICES and CUDA_DEVICE_ORDER=PCI_BUS_ID), else
// max_parallel CPU slots (default: one per core), each with threads_per_run
// threads (default: its share of the cores). Both capped by max_parallel.
// kFailedPrecondition when there is no GPU and meta.allow_cpu is false.
Result<std::vector<Slot>> make_slots(const Meta& meta, const sched::Devices& devices);

// Torch threads of a slot (its FLOR_THREADS), for `flor run --threads`.
int slot_threads(const Slot& slot);
bool slot_has_gpu(const Slot& slot);

}  // namespace flor::sweep
