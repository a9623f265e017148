#!/usr/bin/env bash
# The 2nd checkpoint is written whole, but the store refuses its row (an I/O error of the
# database write): that checkpoint is never used (an orphan gc collects).
# A real record of the Fashion-MNIST example trains on with one warning, and a
# replay reproduces it from the last whole checkpoint (checkpoint_fault in lib.bash).
source "$(dirname "$0")/lib.bash"
checkpoint_fault "store row" 2:dbwrite:1:EIO 'cannot store checkpoint row: store .*flor\.db: cannot write: disk I/O error'
echo "runtime_fault_store_row: ok"
