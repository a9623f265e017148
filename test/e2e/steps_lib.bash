# The old name of lib.bash plus setup_steps_project, kept so scripts written
# against it still run (their `q SQL` queries the 'st' experiment). New
# scripts source lib.bash and call setup_steps_project.
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
setup_steps_project
q() { sqlite3 -batch -noheader "$FLOR_HOME/st/flor.db" "$1"; }
