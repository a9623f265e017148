#!/usr/bin/env bash
# The 2nd checkpoint's write fails at the last directory fsync, after its manifest is under its
# final name: the write is reported failed, so no row names that manifest (an orphan gc collects).
# A real record of the Fashion-MNIST example trains on with one warning, and a
# replay reproduces it from the last whole checkpoint (checkpoint_fault in lib.bash).
source "$(dirname "$0")/lib.bash"
checkpoint_fault "directory fsync" 2:dirfsync:2:EIO 'checkpoint write failed: .*e00001-b0\.ckpt: cannot fsync directory .*/ckpt: Input/output error'
echo "runtime_fault_dir_fsync: ok"
