// Cluster launchers: when `flor replay` runs under one, its segment (P/N) comes
// from the launcher's environment. Pure functions over an env lookup.
#pragma once

#include <optional>
#include <string>

#include "store/contract.h"
#include "util/status.h"

namespace flor::sched {

struct LauncherSegment {
  Segment segment;
  std::string launcher;  // "slurm", "openmpi", "pmi", "torchrun", "kubernetes"
};

// Checked in this order: Slurm job arrays (SLURM_ARRAY_TASK_ID, _COUNT, _MIN,
// _STEP), Open MPI (OMPI_COMM_WORLD_RANK/_SIZE), MPICH/PMI (PMI_RANK/_SIZE),
// torchrun (RANK/WORLD_SIZE), Kubernetes Indexed Jobs (JOB_COMPLETION_INDEX,
// whose count the environment does not carry: `count`). nullopt when none is
// present; an error when one is present but inconsistent.
Result<std::optional<LauncherSegment>> segment_from_launcher(const EnvLookup& env, std::optional<int> count);

// A ready `sbatch --array=1-N` script that runs `flor replay NAME` once per
// array task (each task finds its segment through SLURM_ARRAY_TASK_*).
std::string slurm_script(const std::string& name, int segments, const std::string& work_tree,
                         const std::string& flor_home);

}  // namespace flor::sched
