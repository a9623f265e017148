#include <catch2/catch.hpp>
#include <map>

#include "common/env_of.h"
#include "sched/devices.h"
#include "sched/cluster.h"

namespace flor::sched {
namespace {

using test::env_of;

Segment segment_of(std::map<std::string, std::string> vars, std::optional<int> count = std::nullopt) {
  auto r = segment_from_launcher(env_of(std::move(vars)), count);
  REQUIRE(r.ok());
  REQUIRE(r->has_value());
  return (*r)->segment;
}

TEST_CASE("no launcher variables: no segment", "[sched]") {
  auto r = segment_from_launcher(env_of({{"HOME", "/root"}}), std::nullopt);
  REQUIRE(r.ok());
  CHECK_FALSE(r->has_value());
}

TEST_CASE("Slurm job arrays: task ids MIN, MIN+STEP, ... are segments 1..COUNT", "[sched]") {
  auto s = segment_of({{"SLURM_ARRAY_TASK_ID", "3"}, {"SLURM_ARRAY_TASK_COUNT", "5"}, {"SLURM_ARRAY_TASK_MIN", "1"}});
  CHECK(s.index == 3);
  CHECK(s.count == 5);
  s = segment_of({{"SLURM_ARRAY_TASK_ID", "4"},
                  {"SLURM_ARRAY_TASK_COUNT", "3"},
                  {"SLURM_ARRAY_TASK_MIN", "0"},
                  {"SLURM_ARRAY_TASK_STEP", "2"}});
  CHECK(s.index == 3);
  CHECK(s.count == 3);
  auto bad = segment_from_launcher(
      env_of({{"SLURM_ARRAY_TASK_ID", "9"}, {"SLURM_ARRAY_TASK_COUNT", "3"}, {"SLURM_ARRAY_TASK_MIN", "0"}}),
      std::nullopt);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("slurm") != std::string::npos);
}

TEST_CASE("MPI and torchrun ranks are 0-based", "[sched]") {
  auto s = segment_of({{"OMPI_COMM_WORLD_RANK", "2"}, {"OMPI_COMM_WORLD_SIZE", "3"}});
  CHECK((s.index == 3 && s.count == 3));
  s = segment_of({{"PMI_RANK", "0"}, {"PMI_SIZE", "4"}});
  CHECK((s.index == 1 && s.count == 4));
  s = segment_of({{"RANK", "1"}, {"WORLD_SIZE", "2"}});
  CHECK((s.index == 2 && s.count == 2));
  auto r = segment_from_launcher(env_of({{"OMPI_COMM_WORLD_RANK", "3"}, {"OMPI_COMM_WORLD_SIZE", "3"}}), std::nullopt);
  CHECK(r.status().code() == Code::kInvalidArgument);
  r = segment_from_launcher(env_of({{"PMI_RANK", "x"}, {"PMI_SIZE", "3"}}), std::nullopt);
  CHECK(r.status().message().find("PMI_RANK='x'") != std::string::npos);
}

TEST_CASE("Slurm wins over MPI variables that srun also sets", "[sched]") {
  auto s = segment_of({{"SLURM_ARRAY_TASK_ID", "2"},
                       {"SLURM_ARRAY_TASK_COUNT", "2"},
                       {"SLURM_ARRAY_TASK_MIN", "1"},
                       {"PMI_RANK", "0"},
                       {"PMI_SIZE", "1"}});
  CHECK((s.index == 2 && s.count == 2));
}

TEST_CASE("Kubernetes Indexed Jobs need the count from the command line", "[sched]") {
  auto s = segment_of({{"JOB_COMPLETION_INDEX", "4"}}, 5);
  CHECK((s.index == 5 && s.count == 5));
  auto r = segment_from_launcher(env_of({{"JOB_COMPLETION_INDEX", "4"}}), std::nullopt);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("--count") != std::string::npos);
  CHECK_FALSE(segment_from_launcher(env_of({{"JOB_COMPLETION_INDEX", "5"}}), 5).ok());
}

TEST_CASE("the Slurm script is an array job that runs flor replay", "[sched]") {
  std::string s = slurm_script("mnist", 4, "/src/proj", "/shared/flor");
  CHECK(s.rfind("#!/bin/bash\n", 0) == 0);
  CHECK(s.find("#SBATCH --array=1-4\n") != std::string::npos);
  CHECK(s.find("export FLOR_HOME='/shared/flor'\n") != std::string::npos);
  CHECK(s.find("exec flor replay 'mnist'\n") != std::string::npos);
}

TEST_CASE("devices: CUDA_VISIBLE_DEVICES wins; the CPU list is never empty", "[sched]") {
  Devices d = discover_devices(env_of({{"CUDA_VISIBLE_DEVICES", "2,3"}, {"PATH", "/nonexistent"}}));
  CHECK(d.gpus == std::vector<std::string>{"2", "3"});
  CHECK_FALSE(d.cpus.empty());
  CHECK(discover_devices(env_of({{"PATH", "/nonexistent"}})).gpus.empty());
}

TEST_CASE("slots: one GPU per worker, else disjoint CPU shares with pinned threads", "[sched]") {
  auto gpu = assign_slots(Devices{{"0", "1"}, {0, 1, 2, 3}}, 3, 2);
  REQUIRE(gpu.size() == 3);
  CHECK(gpu[0].env.at("CUDA_VISIBLE_DEVICES") == "0");
  CHECK(gpu[2].env.at("CUDA_VISIBLE_DEVICES") == "0");
  CHECK(gpu[1].env.at("CUDA_VISIBLE_DEVICES") == "1");
  CHECK(gpu[1].env.at("FLOR_THREADS") == "2");
  CHECK(gpu[1].env.at("CUDA_DEVICE_ORDER") == "PCI_BUS_ID");  // the ids are nvidia-smi's

  auto cpu = assign_slots(Devices{{}, {0, 1, 2, 3}}, 2, 1);
  CHECK(cpu[0].cpus == std::vector<int>{0, 1});
  CHECK(cpu[1].cpus == std::vector<int>{2, 3});
  CHECK(cpu[1].env.count("CUDA_VISIBLE_DEVICES") == 0);
  CHECK(cpu[1].env.count("CUDA_DEVICE_ORDER") == 0);
  CHECK(cpu[0].env.at("OPENBLAS_NUM_THREADS") == "1");
  CHECK(cpu[0].env.at("OMP_NUM_THREADS") == "1");
  CHECK(cpu[1].label == "cpus 2-3");

  auto over = assign_slots(Devices{{}, {0, 1}}, 3, 1);  // more workers than cores: no pinning
  CHECK(over[2].cpus.empty());
  CHECK(over[2].env.at("FLOR_THREADS") == "1");
}

}  // namespace
}  // namespace flor::sched
