# The old name of lib.bash plus setup_fmnist_binaries (and its `q EXP SQL`),
# kept so scripts written against it still run. New scripts source lib.bash.
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
setup_fmnist_binaries
