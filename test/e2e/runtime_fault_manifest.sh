#!/usr/bin/env bash
# The 2nd checkpoint's write fails at its manifest's data: the disk is full.
# A real record of the Fashion-MNIST example trains on with one warning, and a
# replay reproduces it from the last whole checkpoint (checkpoint_fault in lib.bash).
source "$(dirname "$0")/lib.bash"
checkpoint_fault "manifest" 2:write:2:ENOSPC 'checkpoint write failed: .*e00001-b0\.ckpt: cannot write .*e00001-b0\.ckpt\.tmp-.*: No space left on device'
echo "runtime_fault_manifest: ok"
