# The old name of lib.bash (the one helper library of the e2e scripts), kept so
# scripts written against it still run. New scripts source lib.bash.
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
