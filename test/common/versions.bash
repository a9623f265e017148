# The project of the hindsight-across-versions tests (test/versions/), shared by
# test/e2e/lib.bash (setup_versions_project) and bench/versions.sh.

# versions_build_command FLOR_BUILD_DIR FLOR_SOURCE_DIR [CMAKE_ARG]: the command
# that builds the project in a folder (what a user gives `flor replay --build`),
# through ccache.
versions_build_command() {
  local lib=$1/examples/fashion_mnist/libfmnist.a
  printf '%s' "cmake -S . -B build -G Ninja -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -Dflor_DIR=$1 ${3:+$3 }" \
    "-DFMNIST_LIB=$lib -DFMNIST_INCLUDE=$2/examples > /dev/null && cmake --build build"
}

# with_statement FILE: FILE with the statement the tests add in hindsight,
# placed by hand (after the line that logs train_loss).
VERSIONS_STATEMENT='    flor::log("weight_norm", model->fc1->weight.norm().item<double>());'
with_statement() {
  sed "/flor::log(\"train_loss\"/a\\
$VERSIONS_STATEMENT" "$1"
}
