# flor_instrument(TARGET): hands-free flor for a plain LibTorch program.
# TARGET's C++ sources are compiled through flor-instrument in compiler-launcher
# mode: each TU with a training loop is instrumented on the fly (the source
# files never change; #line directives keep compiler errors on the user's own
# lines) and TARGET links flor::runtime. A TU without a training loop compiles
# untouched. An existing launcher (ccache) keeps working after flor-instrument.
#
#   find_package(flor REQUIRED)
#   add_executable(train train.cc)
#   flor_instrument(train)
#
# Or for a whole build, without this function:
#   cmake -DCMAKE_CXX_COMPILER_LAUNCHER=flor-instrument ...   (and link flor::runtime)
#
# The tool: flor's own target inside flor's build tree; else
# FLOR_INSTRUMENT_EXECUTABLE when set; else the package's imported
# flor::flor-instrument (installed, or flor's build tree with -Dflor_DIR=<build>);
# else flor-instrument on the PATH.
#
# Works whichever target_link_libraries signature TARGET uses, before or after
# this call: the plain one of the LibTorch tutorials
# (target_link_libraries(train "${TORCH_LIBRARIES}")) or the keyword one.

function(flor_instrument target)
  if(TARGET flor-instrument)  # inside flor's own build tree
    set(tool $<TARGET_FILE:flor-instrument>)
    add_dependencies(${target} flor-instrument)
  elseif(FLOR_INSTRUMENT_EXECUTABLE)
    set(tool ${FLOR_INSTRUMENT_EXECUTABLE})
  elseif(TARGET flor::flor-instrument)  # from florConfig.cmake
    set(tool $<TARGET_FILE:flor::flor-instrument>)
  else()
    find_program(FLOR_INSTRUMENT_EXECUTABLE flor-instrument REQUIRED)
    set(tool ${FLOR_INSTRUMENT_EXECUTABLE})
  endif()
  get_target_property(previous ${target} CXX_COMPILER_LAUNCHER)
  if(NOT previous)
    set(previous ${CMAKE_CXX_COMPILER_LAUNCHER})
  endif()
  set_property(TARGET ${target} PROPERTY CXX_COMPILER_LAUNCHER ${tool} ${previous})
  # What target_link_libraries(TARGET PRIVATE flor::runtime) would do, through
  # the properties: CMake refuses to mix that call's keyword signature with the
  # plain one, so calling it here would break every CMakeLists that uses the other.
  set_property(TARGET ${target} APPEND PROPERTY LINK_LIBRARIES flor::runtime)
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "STATIC_LIBRARY")  # a static library passes its private links on to its users
    set_property(TARGET ${target} APPEND PROPERTY INTERFACE_LINK_LIBRARIES $<LINK_ONLY:flor::runtime>)
  endif()
endfunction()
