#include "sched/cluster.h"

#include <limits>

#include "util/number.h"

namespace flor::sched {
namespace {

// Launchers number tasks, ranks and sizes from 0.
Result<int> env_int(const EnvLookup& env, const char* var) {
  auto v = env(var);
  if (!v) return not_found(std::string(var) + " is not set");
  FLOR_ASSIGN_OR_RETURN(int64_t n, parse_integer(var, *v, 0, std::numeric_limits<int>::max()));
  return static_cast<int>(n);
}

// 0-based rank of `size` -> segment rank+1 of size.
Result<std::optional<LauncherSegment>> from_rank(const EnvLookup& env, const char* rank_var, const char* size_var,
                                                 const char* launcher) {
  FLOR_ASSIGN_OR_RETURN(int rank, env_int(env, rank_var));
  FLOR_ASSIGN_OR_RETURN(int size, env_int(env, size_var));
  if (size < 1 || rank < 0 || rank >= size) {
    return invalid_argument(std::string(launcher) + ": " + rank_var + "=" + std::to_string(rank) + " is not in [0, " +
                            size_var + "=" + std::to_string(size) + ")");
  }
  return std::optional<LauncherSegment>(LauncherSegment{Segment{rank + 1, size}, launcher});
}

// Slurm numbers array tasks MIN, MIN+STEP, ... (`--array=0-9:2`); COUNT of them.
Result<std::optional<LauncherSegment>> from_slurm(const EnvLookup& env) {
  FLOR_ASSIGN_OR_RETURN(int id, env_int(env, "SLURM_ARRAY_TASK_ID"));
  FLOR_ASSIGN_OR_RETURN(int count, env_int(env, "SLURM_ARRAY_TASK_COUNT"));
  int min = 0;
  if (env("SLURM_ARRAY_TASK_MIN")) {
    FLOR_ASSIGN_OR_RETURN(min, env_int(env, "SLURM_ARRAY_TASK_MIN"));
  }
  int step = 1;
  if (env("SLURM_ARRAY_TASK_STEP")) {
    FLOR_ASSIGN_OR_RETURN(step, env_int(env, "SLURM_ARRAY_TASK_STEP"));
  }
  if (step < 1 || (id - min) % step != 0) {
    return invalid_argument("slurm: SLURM_ARRAY_TASK_ID=" + std::to_string(id) + " is not MIN + k*STEP (" +
                            std::to_string(min) + ", " + std::to_string(step) + ")");
  }
  int index = (id - min) / step + 1;
  if (count < 1 || index < 1 || index > count) {
    return invalid_argument("slurm: array task " + std::to_string(id) + " is not one of SLURM_ARRAY_TASK_COUNT=" +
                            std::to_string(count) + " tasks from " + std::to_string(min));
  }
  return std::optional<LauncherSegment>(LauncherSegment{Segment{index, count}, "slurm"});
}

Result<std::optional<LauncherSegment>> from_kubernetes(const EnvLookup& env, std::optional<int> count) {
  if (!count) {
    return invalid_argument(
        "kubernetes: JOB_COMPLETION_INDEX is set but the number of segments is not: pass --count N "
        "(the Job's completions)");
  }
  FLOR_ASSIGN_OR_RETURN(int index, env_int(env, "JOB_COMPLETION_INDEX"));
  if (*count < 1 || index < 0 || index >= *count) {
    return invalid_argument("kubernetes: JOB_COMPLETION_INDEX=" + std::to_string(index) + " is not in [0, " +
                            std::to_string(*count) + ")");
  }
  return std::optional<LauncherSegment>(LauncherSegment{Segment{index + 1, *count}, "kubernetes"});
}

}  // namespace

Result<std::optional<LauncherSegment>> segment_from_launcher(const EnvLookup& env, std::optional<int> count) {
  if (env("SLURM_ARRAY_TASK_ID")) return from_slurm(env);
  if (env("OMPI_COMM_WORLD_RANK")) return from_rank(env, "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "openmpi");
  if (env("PMI_RANK")) return from_rank(env, "PMI_RANK", "PMI_SIZE", "pmi");
  if (env("RANK") && env("WORLD_SIZE")) return from_rank(env, "RANK", "WORLD_SIZE", "torchrun");
  if (env("JOB_COMPLETION_INDEX")) return from_kubernetes(env, count);
  return std::optional<LauncherSegment>();
}

std::string slurm_script(const std::string& name, int segments, const std::string& work_tree,
                         const std::string& flor_home) {
  std::string n = std::to_string(segments);
  return "#!/bin/bash\n"
         "# Replays experiment '" + name + "' as " + n + " segments, one Slurm array task each.\n"
         "# Submit with: sbatch THIS_FILE   (FLOR_HOME must be on storage every node sees)\n"
         "#SBATCH --job-name=flor-replay-" + name + "\n"
         "#SBATCH --array=1-" + n + "\n"
         "#SBATCH --ntasks=1\n"
         "#SBATCH --output=flor-replay-" + name + "-%a.out\n"
         "set -euo pipefail\n"
         "cd '" + work_tree + "'\n"
         "export FLOR_HOME='" + flor_home + "'\n"
         "exec flor replay '" + name + "'\n";
}

}  // namespace flor::sched
