#!/usr/bin/env bash
# `flor replay -j 3` on a host with one GPU (a fake nvidia-smi, first on PATH
# in this script only): `flor run` keeps the program's peak GPU memory in the
# run's info; the three workers share the GPU when its free memory holds them,
# fewer start when it does not, and a record without a peak (recorded without
# a GPU) runs them all with a note. The workers compute on the CPU (there is no
# CUDA here): the CUDA_VISIBLE_DEVICES they get is harmless.
source "$(dirname "$0")/lib.bash"
need_commands sqlite3
FAKE=$WORK/fake-gpu
mkdir -p "$FAKE"
cat > "$FAKE/nvidia-smi" <<'SH'
#!/bin/sh
# One H200 with $FAKE_FREE_MIB MiB free, on which every process of the machine holds 1000 MiB.
case "$1" in
  -L) echo "GPU 0: NVIDIA H200 (UUID: GPU-3b5e2a4f-8c1d-4e7a-9f02-6d1b3c5a7e90)" ;;
  --query-gpu=*) echo "0, GPU-3b5e2a4f-8c1d-4e7a-9f02-6d1b3c5a7e90, $FAKE_FREE_MIB, 143771" ;;
  --query-compute-apps=*) for p in /proc/[0-9]*; do echo "${p#/proc/}, 1000"; done ;;
  *) exit 6 ;;
esac
SH
chmod +x "$FAKE/nvidia-smi"
CPU_PATH=$PATH
export PATH=$FAKE:$PATH FAKE_FREE_MIB=80000
epochs=6  # long enough (~2 s) for the once-a-second sample, and room for 3 segments

peak() { q gs "select coalesce(json_extract(info, '\$.gpu_mem_peak_mib'), 'none') from runs where id=$1"; }
# replay_j3 NAME [ARGS...]: `flor replay gs -j 3 ARGS`, which must succeed and replay every epoch.
replay_j3() {
  local name=$1
  shift
  "$FLOR" replay gs -j 3 --no-probes "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" ||
    fail "$name: replay failed: $(cat "$WORK/$name.err")"
  grep -q "^epochs replayed: $epochs of $epochs" "$WORK/$name.out" || fail "$name: epochs: $(cat "$WORK/$name.out")"
  grep -q '^fidelity: ok' "$WORK/$name.out" || fail "$name: fidelity: $(cat "$WORK/$name.out")"
}
workers() { summary_runs "$WORK/$1.out" | wc -l; }

# The record: the driver samples the program's GPU memory (its one process: 1000 MiB).
record_example gs $epochs
expect_eq "$(peak 1)" 1000 "the record's peak GPU memory"

# 2000 MiB + 10% each: 3 x 2200 fit in 80000 MiB, all on gpu 0.
q gs "update runs set info = json_set(info, '\$.gpu_mem_peak_mib', '2000') where id = 1"
replay_j3 fits
grep -qx "flor: 3 workers share gpu 0 (each needs ~2200 MiB of 80000 MiB free)" "$WORK/fits.err" ||
  fail "no sharing line: $(cat "$WORK/fits.err")"
expect_eq "$(workers fits)" 3 "workers that fit"
expect_eq "$(grep -c '^  worker [0-9]  run [0-9]*  .*  gpu 0  ok' "$WORK/fits.out")" 3 "workers on gpu 0"

# 5000 MiB free holds two of them: two workers replay every epoch.
FAKE_FREE_MIB=5000 replay_j3 tight --run 1
grep -qx "flor: running 2 of the 3 workers: 2 fit on gpu 0 (each needs ~2200 MiB of 5000 MiB free)" \
  "$WORK/tight.err" || fail "no line with fewer workers: $(cat "$WORK/tight.err")"
expect_eq "$(workers tight)" 2 "workers when 2 fit"

# Recorded without a GPU: no nvidia-smi on PATH, no peak, so memory is not checked.
PATH=$CPU_PATH "$FLOR" run gs --eps 1 -- ./build/train --epochs $epochs "${TRAIN_ARGS[@]}" > "$WORK/cpu.out" 2>&1 ||
  fail "record without a GPU: $(cat "$WORK/cpu.out")"
cpu_record=$(q gs "select max(id) from runs where kind = 'record'")
expect_eq "$(peak "$cpu_record")" none "the peak of a record without a GPU"
FAKE_FREE_MIB=1000 replay_j3 unknown
grep -q "^flor: note: 3 workers share gpu 0; their memory is not checked: the record has no peak GPU memory" \
  "$WORK/unknown.err" || fail "no note: $(cat "$WORK/unknown.err")"
expect_eq "$(workers unknown)" 3 "workers when the need is unknown"
echo "driver_replay_gpu_share: ok"
