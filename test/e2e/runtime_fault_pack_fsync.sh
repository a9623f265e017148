#!/usr/bin/env bash
# The 2nd checkpoint's write fails at the fsync of its pack: an I/O error.
# A real record of the Fashion-MNIST example trains on with one warning, and a
# replay reproduces it from the last whole checkpoint (checkpoint_fault in lib.bash).
source "$(dirname "$0")/lib.bash"
checkpoint_fault "pack fsync" 2:fsync:1:EIO 'checkpoint write failed: .*e00001-b0\.ckpt: cannot fsync .*/packs/.*: Input/output error'
echo "runtime_fault_pack_fsync: ok"
