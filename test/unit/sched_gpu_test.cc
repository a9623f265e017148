// nvidia-smi's answers (sched/nvidia_smi.h), read from the shapes the real tool
// prints, and how replay workers share GPUs by their memory (share_gpus).
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <map>

#include "common/env_of.h"
#include "common/temp_dir.h"
#include "sched/devices.h"
#include "sched/memtrace.h"
#include "sched/nvidia_smi.h"

namespace flor::sched {
namespace {

using test::env_of;

const char* const kH200 = "GPU-3b5e2a4f-8c1d-4e7a-9f02-6d1b3c5a7e90";
const char* const kA100 = "GPU-9d0c7b1e-2f3a-4b5c-8d6e-0a1b2c3d4e5f";

TEST_CASE("nvidia-smi -L lists GPU ids, MIG devices and errors none", "[sched]") {
  CHECK(parse_gpu_list("GPU 0: Tesla T4 (UUID: GPU-1)\nGPU 1: Tesla T4 (UUID: GPU-2)\n") ==
        std::vector<std::string>{"0", "1"});
  CHECK(parse_gpu_list("GPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-9d0c)\n"
                       "  MIG 3g.40gb     Device  0: (UUID: MIG-1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718)\n") ==
        std::vector<std::string>{"0"});
  CHECK(parse_gpu_list("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n")
            .empty());
}

TEST_CASE("nvidia-smi --query-gpu: index, uuid, free and total MiB, [N/A] lines left out", "[sched]") {
  const std::string out = std::string("0, ") + kH200 + ", 142861, 143771\n1, " + kA100 +
                          ", 80537, 81920\n2, GPU-0000, [N/A], [N/A]\n";
  const std::vector<GpuMemory> m = parse_gpu_memory(out);
  REQUIRE(m.size() == 2);
  CHECK(m[0].index == "0");
  CHECK(m[0].uuid == kH200);
  CHECK(m[0].free_mib == 142861);
  CHECK(m[0].total_mib == 143771);
  CHECK(m[1].free_mib == 80537);
  CHECK(parse_gpu_memory("").empty());
  CHECK(parse_gpu_memory("Field \"memory.fre\" is not a valid field to query.\n").empty());

  // CUDA_VISIBLE_DEVICES names a GPU by index, UUID or UUID prefix; a MIG id or a missing GPU is unknown.
  CHECK(free_mib({"1", "0"}, m) == std::vector<std::optional<int64_t>>{80537, 142861});
  CHECK(free_mib({kA100, "GPU-3b5e"}, m) == std::vector<std::optional<int64_t>>{80537, 142861});
  CHECK(free_mib({"7", "MIG-1f2e", "GPU-"}, m) ==
        std::vector<std::optional<int64_t>>{std::nullopt, std::nullopt, 80537});
}

TEST_CASE("nvidia-smi --query-compute-apps: MiB per pid, summed over GPUs, over a process tree", "[sched]") {
  const std::map<int, int64_t> used = parse_compute_apps("4242, 2100\n4243, 512\n4242, 100\n4244, [N/A]\n");
  CHECK(used == std::map<int, int64_t>{{4242, 2200}, {4243, 512}});
  CHECK(parse_compute_apps("").empty());
  CHECK(gpu_mem_mib({4242, 4243, 9999}, used) == 2712);
  CHECK(gpu_mem_mib({9999}, used) == 0);
}

TEST_CASE("nvidia-smi runs from PATH, without it there is no answer and no GPU", "[sched]") {
  test::TempDir dir;
  const std::string fake = dir / "nvidia-smi";
  const std::string uuid = kH200;
  std::ofstream(fake) << "#!/bin/sh\ncase \"$1\" in\n"
                      << "  -L) echo 'GPU 0: NVIDIA H200 (UUID: " + uuid + ")' ;;\n"
                      << "  --query-gpu=*) echo '0, " + uuid + ", 140000, 143771' ;;\n"
                      << "  *) exit 6 ;;\nesac\n";
  REQUIRE(::chmod(fake.c_str(), 0755) == 0);
  const EnvLookup env = env_of({{"PATH", dir.path}});
  CHECK(discover_devices(env).gpus == std::vector<std::string>{"0"});
  REQUIRE(query_gpu_memory(env).size() == 1);
  CHECK(query_gpu_memory(env)[0].free_mib == 140000);
  CHECK_FALSE(nvidia_smi("--bogus", env));  // a failing nvidia-smi: no answer
  CHECK(query_compute_apps(env).empty());

  const EnvLookup none = env_of({{"PATH", "/nonexistent"}});
  CHECK_FALSE(nvidia_smi("-L", none));
  CHECK(query_gpu_memory(none).empty());
}

TEST_CASE("gpu sharing: no GPU shared, no check and no message", "[sched]") {
  for (int workers : {1, 2}) {
    GpuShare s = share_gpus(workers, {"0", "1"}, {100, 100}, 5000);
    CHECK(s.workers == workers);
    CHECK(s.message.empty());
  }
  CHECK(share_gpus(4, {}, {}, 5000).workers == 4);  // CPU workers
  CHECK_FALSE(gpus_shared(0, 4));
  CHECK_FALSE(gpus_shared(2, 2));
  CHECK(gpus_shared(1, 2));
}

TEST_CASE("gpu sharing: workers that fit on one GPU all run", "[sched]") {
  GpuShare s = share_gpus(4, {"0"}, {80000}, 1900);  // 1900 + 10% = 2090 each
  CHECK(s.workers == 4);
  CHECK(s.message == "4 workers share gpu 0 (each needs ~2090 MiB of 80000 MiB free)");
  CHECK(share_gpus(3, {"0"}, {6270}, 1900).workers == 3);  // exactly 3 x 2090
}

TEST_CASE("gpu sharing: as many as fit, at least one per GPU", "[sched]") {
  GpuShare s = share_gpus(3, {"0"}, {5000}, 2000);
  CHECK(s.workers == 2);
  CHECK(s.message == "running 2 of the 3 workers: 2 fit on gpu 0 (each needs ~2200 MiB of 5000 MiB free)");
  s = share_gpus(3, {"0"}, {1000}, 2000);
  CHECK(s.workers == 1);
  CHECK(s.message ==
        "running 1 of the 3 workers, one per gpu, though not even one fits on gpu 0 "
        "(each needs ~2200 MiB of 1000 MiB free)");
}

TEST_CASE("gpu sharing: several GPUs hold what the fullest one holds", "[sched]") {
  // 5 workers on 2 GPUs: 3 on gpu 0, 2 on gpu 1 (round robin).
  GpuShare s = share_gpus(5, {"0", "1"}, {9000, 7000}, 2000);
  CHECK(s.workers == 5);
  CHECK(s.message == "5 workers share gpus 0, 1 (each needs ~2200 MiB; MiB free: 9000, 7000)");
  s = share_gpus(6, {"0", "1"}, {9000, 5000}, 2000);
  CHECK(s.workers == 4);
  CHECK(
      s.message ==
      "running 4 of the 6 workers: 2 fit on each of gpus 0, 1 (each needs ~2200 MiB; MiB free: 9000, 5000)");
}

TEST_CASE("gpu sharing: an unknown need or free amount runs them all, unchecked", "[sched]") {
  GpuShare s = share_gpus(3, {"0"}, {5000}, std::nullopt);
  CHECK(s.workers == 3);
  CHECK_THAT(s.message,
             Catch::StartsWith("note: 3 workers share gpu 0; their memory is not checked: the record "
                               "has no peak GPU memory"));
  s = share_gpus(3, {"0", "GPU-3b5e"}, {5000, std::nullopt}, 2000);
  CHECK(s.workers == 3);
  CHECK(s.message ==
        "note: 3 workers share gpus 0, GPU-3b5e; their memory is not checked: nvidia-smi reports no "
        "free memory for gpu GPU-3b5e");
}

}  // namespace
}  // namespace flor::sched
