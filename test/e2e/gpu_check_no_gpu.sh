#!/usr/bin/env bash
# scripts/gpu-check on a machine without a GPU (CI, the development machines):
# it says so and exits 0, building nothing; with an nvidia-smi that lists no
# GPU (a driver without a device fails) the same. An unknown argument is an error.
source "$(dirname "$0")/lib.bash"
CHECK=$FLOR_SOURCE_DIR/scripts/gpu-check
if PATH=/usr/bin:/bin nvidia-smi -L > /dev/null 2>&1; then echo "skip: this machine has a GPU"; exit 77; fi
out=$(FLOR_GPU_BUILD_DIR=$WORK/build-gpu PATH=/usr/bin:/bin "$CHECK" 2>&1) || fail "exit $? without a GPU: $out"
grep -q "gpu-check: no GPU on this machine" <<<"$out" || fail "no message: $out"
[ ! -e "$WORK/build-gpu" ] || fail "built without a GPU"
# A failing nvidia-smi (a driver without a device): still no GPU.
mkdir -p "$WORK/bin"
printf '#!/bin/sh\necho "NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver." >&2\nexit 9\n' \
  > "$WORK/bin/nvidia-smi"
chmod +x "$WORK/bin/nvidia-smi"
out=$(FLOR_GPU_BUILD_DIR=$WORK/build-gpu PATH=$WORK/bin:/usr/bin:/bin "$CHECK" 2>&1) || fail "exit $? with a failing nvidia-smi: $out"
grep -q "gpu-check: no GPU on this machine" <<<"$out" || fail "no message with a failing nvidia-smi: $out"
rc=0
"$CHECK" --bogus > /dev/null 2>&1 || rc=$?
expect_eq $rc 1 "exit status of an unknown argument"
echo "gpu_check_no_gpu: ok"
