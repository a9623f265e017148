# The CMake package for users: find_package(flor) + flor::runtime.
include(CMakePackageConfigHelpers)
set(FLOR_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/flor)
install(EXPORT florTargets NAMESPACE flor:: DESTINATION ${FLOR_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/florConfig.cmake.in
  ${PROJECT_BINARY_DIR}/florConfig.cmake INSTALL_DESTINATION ${FLOR_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/florConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/florConfig.cmake ${PROJECT_BINARY_DIR}/florConfigVersion.cmake
  DESTINATION ${FLOR_CMAKE_DIR})
# flor_instrument(TARGET) for users of the package (owner: flor-instrument).
install(FILES ${PROJECT_SOURCE_DIR}/cmake/FlorInstrument.cmake DESTINATION ${FLOR_CMAKE_DIR})

# The same package from the build tree, without installing: -Dflor_DIR=<build>.
# (scripts/demo builds a user's copy of the example this way.)
export(EXPORT florTargets NAMESPACE flor:: FILE ${PROJECT_BINARY_DIR}/florTargets.cmake)
configure_file(${PROJECT_SOURCE_DIR}/cmake/FlorInstrument.cmake ${PROJECT_BINARY_DIR}/FlorInstrument.cmake COPYONLY)
