#!/usr/bin/env bash
# The 2nd checkpoint's write fails at the rename that publishes its manifest: an I/O error.
# A real record of the Fashion-MNIST example trains on with one warning, and a
# replay reproduces it from the last whole checkpoint (checkpoint_fault in lib.bash).
source "$(dirname "$0")/lib.bash"
checkpoint_fault "rename" 2:rename:2:EIO 'checkpoint write failed: .*: cannot rename .*e00001-b0\.ckpt\.tmp-.* to .*e00001-b0\.ckpt: Input/output error'
echo "runtime_fault_rename: ok"
